import { randomUUID } from "node:crypto";
import type { ChatHistoryItem, ChatModelFunctions, LlamaGrammar, LLamaChatGenerateResponseOptions } from "node-llama-cpp";
import type { ModelCallOptions, ToolDefinition } from "../../core/chat.js";
import { systemClock, type Clock } from "../../core/clock.js";
import { LfError, ProviderError } from "../../core/errors.js";
import type { EmbedOptions, Embeddings } from "../../core/embedding.js";
import type { ConnectivityResult, ModelAdapter } from "../../core/model-adapter.js";
import type { FinishReason, StreamPart } from "../../core/stream-part.js";
import { convertToChatHistory } from "./convert-to-chat-history.js";
import { LlamaCppEmbedder } from "./llamacpp-embeddings.js";
import { loadNodeLlamaCpp } from "./load-node-llama-cpp.js";
import { contextSizeOf, mapParameters } from "./map-parameters.js";
import { mapLlamaCppError, PROVIDER } from "./map-error.js";
import { getSharedModel, type GpuLayers, type SharedModel } from "./model-cache.js";
import { PartQueue } from "./part-queue.js";

export interface LlamaCppAdapterOptions {
  /** The GGUF file. Adapters naming the same file share one loaded model. */
  modelPath: string;
  modelId: string;
  /** Generations that may run at once on this model (one llama.cpp context each); more requests wait. */
  maxContexts: number;
  /** Layers to offload to a GPU; 0 (the default) runs on the CPU and never probes GPU libraries. */
  gpuLayers?: GpuLayers;
  /** CPU threads per context; by default the machine's math cores shared out between `maxContexts`. */
  threads?: number;
  /** Context size in tokens when a request sets no `num_ctx`; else the model's training length, capped. */
  contextSize?: number;
  clock?: Clock;
  /** Ids for the tool calls the model makes. */
  generateId?: () => string;
}

/** A long-context model would otherwise allocate a KV cache for, say, 128k tokens per context. */
const CONTEXT_SIZE_CAP = 4096;

const STOP_REASONS: Record<string, FinishReason> = {
  eogToken: "stop",
  stopGenerationTrigger: "stop",
  customStopTrigger: "stop",
  maxTokens: "length",
  functionCalls: "tool-calls",
};

/** Runs a GGUF model in-process with node-llama-cpp; the model is loaded on first use and shared. */
export class LlamaCppAdapter implements ModelAdapter {
  readonly provider = PROVIDER;
  readonly modelId: string;
  private readonly options: LlamaCppAdapterOptions;
  private readonly clock: Clock;
  private readonly generateId: () => string;
  private shared: Promise<SharedModel> | undefined;
  private readonly embedder: LlamaCppEmbedder;

  constructor(options: LlamaCppAdapterOptions) {
    if (!Number.isInteger(options.maxContexts) || options.maxContexts < 1) {
      throw new LfError("config_invalid", `llamacpp model ${options.modelId}: maxContexts must be a positive integer`);
    }
    this.options = options;
    this.modelId = options.modelId;
    this.clock = options.clock ?? systemClock;
    this.generateId = options.generateId ?? (() => `call_${randomUUID()}`);
    this.embedder = new LlamaCppEmbedder(options.modelId, {
      contextSize: (shared) => options.contextSize ?? Math.min(shared.model.trainContextSize, CONTEXT_SIZE_CAP),
      threads: options.threads,
    });
  }

  /** Each input embedded in turn by the model's embedding context. */
  async embed(options: EmbedOptions): Promise<Embeddings> {
    const fail = (error: unknown) => mapLlamaCppError(error, this.errorContext(options.signal));
    if (options.signal?.aborted) throw fail(options.signal.reason);
    try {
      return await this.embedder.embed(await this.model(), options);
    } catch (error) {
      throw fail(error);
    }
  }

  private errorContext(signal?: AbortSignal) {
    return { modelId: this.modelId, path: this.options.modelPath, signal };
  }

  private model(): Promise<SharedModel> {
    if (this.shared === undefined) {
      const loading = getSharedModel(this.options.modelPath, { maxContexts: this.options.maxContexts, gpuLayers: this.options.gpuLayers ?? 0 });
      this.shared = loading.then(
        (shared) => {
          shared.retain();
          return shared;
        },
        (error: unknown) => {
          this.shared = undefined;
          throw mapLlamaCppError(error, this.errorContext());
        },
      );
    }
    return this.shared;
  }

  async *stream(options: ModelCallOptions): AsyncIterable<StreamPart> {
    const { signal } = options;
    const fail = (error: unknown) => mapLlamaCppError(error, this.errorContext(signal));
    if (signal?.aborted) throw fail(signal.reason);

    let shared: SharedModel;
    let history: ChatHistoryItem[];
    let setup: GenerationSetup;
    try {
      shared = await this.model();
      history = convertToChatHistory(options.messages);
      setup = await this.prepare(shared, options);
    } catch (error) {
      throw fail(error);
    }
    const { LlamaChat } = await loadNodeLlamaCpp();
    const contextSize = contextSizeOf(options.parameters) ?? this.options.contextSize ?? Math.min(shared.model.trainContextSize, CONTEXT_SIZE_CAP);

    const lease = await shared.acquireSequence(contextSize, this.options.threads, signal).catch((error: unknown) => {
      throw fail(error);
    });
    // Loaded, with a context of its own: as far as a call goes, the provider has answered.
    options.onResponse?.();
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    let chat: InstanceType<typeof LlamaChat> | undefined;
    let generation: Promise<void> | undefined;
    try {
      chat = new LlamaChat({ contextSequence: lease.sequence, chatWrapper: shared.chatWrapper, autoDisposeSequence: false });
      const inputTokens = shared.chatWrapper
        .generateContextState({ chatHistory: history, availableFunctions: setup.functions, documentFunctionParams: true })
        .contextText.tokenize(shared.model.tokenizer).length;
      if (inputTokens >= lease.contextSize) {
        throw new ProviderError(`the prompt is ${inputTokens} tokens but the context holds ${lease.contextSize}; raise num_ctx`, {
          provider: PROVIDER,
          modelId: this.modelId,
          code: "invalid_request",
          status: 400,
        });
      }

      const queue = new PartQueue<StreamPart>();
      let outputTokens = 0;
      const sampling = mapParameters(options.parameters);
      const room = lease.contextSize - inputTokens;
      const generateOptions = {
        ...sampling,
        // Bounded by the room left so a long answer ends as `length` instead of shifting the context.
        maxTokens: Math.min(sampling.maxTokens ?? room, room),
        signal: controller.signal,
        stopOnAbortSignal: false,
        onTextChunk: (text) => {
          if (text !== "") queue.push({ type: "text-delta", text });
        },
        onToken: (tokens) => {
          outputTokens += tokens.length;
        },
        ...(setup.functions === undefined ? {} : { functions: setup.functions, documentFunctionParams: true }),
        ...(setup.grammar === undefined ? {} : { grammar: setup.grammar }),
        // `prepare` never returns both, which is what node-llama-cpp's union of option types demands.
      } as LLamaChatGenerateResponseOptions<ChatModelFunctions | undefined>;
      generation = chat.generateResponse(history, generateOptions).then(
        (result) => {
          for (const call of result.functionCalls ?? []) {
            queue.push({
              type: "tool-call",
              toolCall: { id: this.generateId(), name: call.functionName, arguments: JSON.stringify(call.params ?? {}) },
            });
          }
          queue.push({ type: "usage", usage: { inputTokens, outputTokens } });
          queue.push({ type: "finish", finishReason: STOP_REASONS[result.metadata.stopReason] ?? "other" });
          queue.end();
        },
        (error: unknown) => queue.fail(error),
      );

      let started = false;
      try {
        for await (const part of queue) {
          started = true;
          yield part;
        }
      } catch (error) {
        if (!started) throw error;
        yield { type: "error", error: fail(error) };
      }
    } catch (error) {
      throw fail(error);
    } finally {
      signal?.removeEventListener("abort", onAbort);
      // Also reached when the consumer stops iterating early: stop generating before the context is reused.
      controller.abort();
      await generation?.catch(() => undefined);
      chat?.dispose({ disposeSequence: false });
      lease.release();
    }
  }

  /** Tools or a response format, turned into node-llama-cpp functions or a grammar. */
  private async prepare(shared: SharedModel, options: ModelCallOptions): Promise<GenerationSetup> {
    const tools = selectTools(options.tools, options.toolChoice);
    const choice = options.toolChoice;
    if (typeof choice === "object" && tools === undefined) {
      throw new ProviderError(`tool_choice names ${choice.name}, which is not among the request's tools`, {
        provider: PROVIDER,
        modelId: this.modelId,
        code: "invalid_request",
        status: 400,
      });
    }
    const format = options.responseFormat;
    const wantsGrammar = format !== undefined && format.type !== "text";
    if (tools !== undefined && wantsGrammar) {
      throw new ProviderError("llamacpp cannot combine tools with a JSON response_format in one request", {
        provider: PROVIDER,
        modelId: this.modelId,
        code: "invalid_request",
        status: 400,
      });
    }
    if (tools !== undefined) return { functions: toFunctions(tools) };
    if (format?.type === "json_object") return { grammar: await shared.llama.getGrammarFor("json") };
    if (format?.type === "json_schema") {
      try {
        return { grammar: await shared.llama.createGrammarForJsonSchema(format.schema as never) };
      } catch (error) {
        throw new ProviderError(`llamacpp cannot enforce this JSON schema: ${error instanceof Error ? error.message : String(error)}`, {
          provider: PROVIDER,
          modelId: this.modelId,
          code: "invalid_request",
          status: 400,
          cause: error,
        });
      }
    }
    return {};
  }

  /** The file is present, a well-formed GGUF, and llama.cpp loads it (which also warms the shared model). */
  async check(signal?: AbortSignal): Promise<ConnectivityResult> {
    const started = this.clock.now();
    try {
      if (signal?.aborted) throw signal.reason;
      const shared = await this.model();
      const { summary } = shared;
      return {
        ok: true,
        latencyMs: this.clock.now() - started,
        detail: `${summary.architecture}, ${summary.tensorCount} tensors, ${summary.fileSize} bytes, ${shared.chatWrapper.wrapperName} chat format`,
      };
    } catch (error) {
      return { ok: false, latencyMs: this.clock.now() - started, detail: mapLlamaCppError(error, this.errorContext(signal)).message };
    }
  }

  /** Drops this adapter's hold on the shared model; the last holder unloads it. */
  async close(): Promise<void> {
    const shared = this.shared;
    this.shared = undefined;
    await this.embedder.close();
    if (shared === undefined) return;
    const model = await shared.catch(() => undefined);
    await model?.releaseReference();
  }
}

interface GenerationSetup {
  functions?: ChatModelFunctions;
  grammar?: LlamaGrammar;
}

/**
 * node-llama-cpp cannot force a call, so `required` and a named choice are honoured as far as it can:
 * the model is offered all tools, or only the named one.
 */
function selectTools(tools: ToolDefinition[] | undefined, choice: ModelCallOptions["toolChoice"]): ToolDefinition[] | undefined {
  if (tools === undefined || tools.length === 0 || choice === "none") return undefined;
  if (typeof choice === "object") {
    const named = tools.filter((tool) => tool.name === choice.name);
    return named.length > 0 ? named : undefined;
  }
  return tools;
}

function toFunctions(tools: ToolDefinition[]): ChatModelFunctions {
  const functions: Record<string, ChatModelFunctions[string]> = {};
  for (const tool of tools) {
    functions[tool.name] = {
      ...(tool.description === undefined ? {} : { description: tool.description }),
      params: tool.parameters as never,
    };
  }
  return functions;
}

export function createLlamaCppAdapter(options: LlamaCppAdapterOptions): LlamaCppAdapter {
  return new LlamaCppAdapter(options);
}
