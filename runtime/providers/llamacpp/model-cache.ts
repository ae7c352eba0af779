import { resolve } from "node:path";
import type { ChatWrapper, Llama, LlamaContext, LlamaContextSequence, LlamaModel } from "node-llama-cpp";
import { loadNodeLlamaCpp } from "./load-node-llama-cpp.js";
import { readGgufSummary, type GgufSummary } from "./gguf-header.js";
import { Semaphore } from "./semaphore.js";

export type GpuLayers = number | "auto" | "max";

export interface SharedModelOptions {
  gpuLayers?: GpuLayers;
  /** Concurrent generations (one context each); later requests wait for a free one. */
  maxContexts: number;
}

/** A context sequence lent to one request; `release` hands it back for the next one. */
export interface SequenceLease {
  readonly sequence: LlamaContextSequence;
  readonly contextSize: number;
  release(): void;
}

interface PooledContext {
  context: LlamaContext;
  sequence: LlamaContextSequence;
  size: number;
}

/**
 * One loaded GGUF, shared by every adapter and request that names the same file. Contexts (the KV
 * cache, the memory that grows with concurrency) are created on demand up to `maxContexts` and kept
 * for reuse, so a follow-up turn can reuse the evaluated prefix of the conversation.
 */
export class SharedModel {
  private readonly slots: Semaphore;
  private readonly idle: PooledContext[] = [];
  private busy = 0;
  private references = 0;
  private disposed = false;

  constructor(
    readonly path: string,
    readonly llama: Llama,
    readonly model: LlamaModel,
    readonly summary: GgufSummary,
    /** The model's own chat template when it has one, else a general-purpose prompt format. */
    readonly chatWrapper: ChatWrapper,
    private maxContexts: number,
  ) {
    this.slots = new Semaphore(maxContexts);
  }

  get activeContexts(): number {
    return this.slots.active;
  }

  get waitingRequests(): number {
    return this.slots.waiting;
  }

  /** Adapters sharing a model may ask for different bounds; the largest wins so none is starved. */
  raiseContextLimit(maxContexts: number): void {
    if (maxContexts <= this.maxContexts) return;
    this.maxContexts = maxContexts;
    this.slots.setLimit(maxContexts);
  }

  retain(): void {
    this.references++;
  }

  /** Returns true when this was the last reference and the model was disposed. */
  async releaseReference(): Promise<boolean> {
    this.references = Math.max(0, this.references - 1);
    if (this.references > 0) return false;
    await this.dispose();
    return true;
  }

  async acquireSequence(contextSize: number, threads: number | undefined, signal?: AbortSignal): Promise<SequenceLease> {
    if (this.disposed) throw new Error(`model ${this.path} was disposed`);
    const releaseSlot = await this.slots.acquire(signal);
    try {
      const pooled = await this.takeContext(contextSize, threads);
      this.busy++;
      let released = false;
      return {
        sequence: pooled.sequence,
        contextSize: pooled.size,
        release: () => {
          if (released) return;
          released = true;
          this.busy--;
          if (this.disposed) void pooled.context.dispose();
          else this.idle.push(pooled);
          releaseSlot();
        },
      };
    } catch (error) {
      releaseSlot();
      throw error;
    }
  }

  private async takeContext(size: number, threads: number | undefined): Promise<PooledContext> {
    const match = this.idle.findIndex((pooled) => pooled.size === size);
    if (match >= 0) return this.idle.splice(match, 1)[0]!;
    // A context of another size is only worth keeping while there is room for both.
    if (this.idle.length > 0 && this.idle.length + this.busy >= this.maxContexts) {
      await this.idle.shift()!.context.dispose();
    }
    // node-llama-cpp defaults to at least 4 threads per context; on a small machine, or with several
    // contexts decoding at once, threads then outnumber cores and spin-waiting makes decoding hundreds of
    // times slower. So the cores that do math are shared out between the contexts.
    const perContext = threads ?? Math.max(1, Math.floor(this.llama.cpuMathCores / this.maxContexts));
    const context = await this.model.createContext({ contextSize: size, sequences: 1, threads: perContext });
    return { context, sequence: context.getSequence(), size };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    cache.delete(this.path);
    const idle = this.idle.splice(0);
    await Promise.all(idle.map((pooled) => pooled.context.dispose()));
    await this.model.dispose();
  }
}

const cache = new Map<string, Promise<SharedModel>>();
const llamas = new Map<"cpu" | "gpu", Promise<Llama>>();

function getLlamaInstance(useGpu: boolean): Promise<Llama> {
  const key = useGpu ? "gpu" : "cpu";
  let llama = llamas.get(key);
  if (llama === undefined) {
    // Prebuilt binaries only: never compile llama.cpp and never download its sources.
    llama = loadNodeLlamaCpp().then(({ getLlama, LlamaLogLevel }) =>
      getLlama({
        build: "never",
        skipDownload: true,
        usePrebuiltBinaries: true,
        progressLogs: false,
        gpu: useGpu ? "auto" : false,
        logLevel: LlamaLogLevel.error,
      }),
    );
    llama.catch(() => llamas.delete(key));
    llamas.set(key, llama);
  }
  return llama;
}

/**
 * The shared model for a file, loading it on first use. The cache key is the resolved path: the first
 * adapter's `gpuLayers` decides how the file is loaded for everyone.
 */
export function getSharedModel(path: string, options: SharedModelOptions): Promise<SharedModel> {
  const key = resolve(path);
  let entry = cache.get(key);
  if (entry === undefined) {
    entry = loadSharedModel(key, options);
    entry.catch(() => cache.delete(key));
    cache.set(key, entry);
  } else {
    entry = entry.then((shared) => {
      shared.raiseContextLimit(options.maxContexts);
      return shared;
    });
  }
  return entry;
}

async function loadSharedModel(path: string, options: SharedModelOptions): Promise<SharedModel> {
  const summary = await readGgufSummary(path);
  const gpuLayers = options.gpuLayers ?? 0;
  const llama = await getLlamaInstance(gpuLayers !== 0);
  const model = await llama.loadModel({ modelPath: path, gpuLayers });
  const { resolveChatWrapper, GeneralChatWrapper } = await loadNodeLlamaCpp();
  // Without a template, guessing a format from the file name (say, Llama 2's [INST]) is worse than a
  // neutral one; with a template, node-llama-cpp uses it or the specialised wrapper that matches it.
  const chatWrapper = summary.hasChatTemplate ? resolveChatWrapper(model, { warningLogs: false }) : new GeneralChatWrapper();
  return new SharedModel(path, llama, model, summary, chatWrapper, options.maxContexts);
}

/** Disposes every loaded model and the llama.cpp bindings; for shutdown and between test files. */
export async function disposeLlamaCppModels(): Promise<void> {
  const entries = [...cache.values()];
  cache.clear();
  const settled = await Promise.allSettled(entries);
  await Promise.all(settled.map((result) => (result.status === "fulfilled" ? result.value.dispose() : undefined)));
  const bindings = [...llamas.values()];
  llamas.clear();
  const instances = await Promise.allSettled(bindings);
  await Promise.all(instances.map((result) => (result.status === "fulfilled" ? result.value.dispose() : undefined)));
}

/** How many models are loaded or loading; lets tests see that adapters share one. */
export function loadedLlamaCppModelCount(): number {
  return cache.size;
}
