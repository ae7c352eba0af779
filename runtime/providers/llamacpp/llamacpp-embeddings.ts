import type { LlamaEmbeddingContext, Token } from "node-llama-cpp";
import type { EmbedOptions, Embeddings } from "../../core/embedding.js";
import { ProviderError } from "../../core/errors.js";
import { PROVIDER } from "./map-error.js";
import type { SharedModel } from "./model-cache.js";
import { Semaphore } from "./semaphore.js";

/**
 * Embeddings from a loaded GGUF: one embedding context per adapter, created on first use and kept,
 * taking one batch at a time (a context evaluates one input at a time anyway).
 */
export class LlamaCppEmbedder {
  private context: Promise<LlamaEmbeddingContext> | undefined;
  private readonly gate = new Semaphore(1);

  constructor(
    private readonly modelId: string,
    private readonly settings: { contextSize: (shared: SharedModel) => number; threads: number | undefined },
  ) {}

  async embed(shared: SharedModel, options: EmbedOptions): Promise<Embeddings> {
    const { signal } = options;
    const release = await this.gate.acquire(signal);
    try {
      const context = await this.contextFor(shared);
      options.onResponse?.();
      const size = this.settings.contextSize(shared);
      const vectors: number[][] = [];
      let inputTokens = 0;
      for (const [i, item] of options.inputs.entries()) {
        if (signal?.aborted) throw signal.reason;
        const input = typeof item === "string" ? item : (item as Token[]);
        const length = context.calculateInputLength(input);
        if (length > size) throw this.invalid(`input ${i} is ${length} tokens but the embedding context holds ${size}`);
        inputTokens += length;
        vectors.push([...(await context.getEmbeddingFor(input)).vector]);
      }
      return { vectors, usage: { inputTokens, outputTokens: 0 } };
    } finally {
      release();
    }
  }

  async close(): Promise<void> {
    const context = this.context;
    this.context = undefined;
    await (await context?.catch(() => undefined))?.dispose();
  }

  private contextFor(shared: SharedModel): Promise<LlamaEmbeddingContext> {
    // Never more threads than math cores: node-llama-cpp's default of at least 4 spin-waits on a small machine.
    this.context ??= shared.model.createEmbeddingContext({ contextSize: this.settings.contextSize(shared), threads: this.settings.threads ?? shared.llama.cpuMathCores });
    this.context.catch(() => (this.context = undefined));
    return this.context;
  }

  private invalid(message: string): ProviderError {
    return new ProviderError(message, { provider: PROVIDER, modelId: this.modelId, code: "invalid_request", status: 400 });
  }
}
