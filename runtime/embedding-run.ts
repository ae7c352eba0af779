import type { ChatRequest } from "./chat-request.js";
import { LfError, type EmbedOptions, type EmbeddingInput, type ModelAdapter, type StreamPart, type Usage } from "./core/index.js";
import type { AttemptTracer } from "./routing/index.js";

/** One embeddings request as the API hands it to the runtime. */
export interface EmbeddingRequest {
  /** An embeddings model of the project; the project's default when omitted. */
  model?: string;
  inputs: EmbeddingInput[];
  dimensions?: number;
  /** The server's request id, recorded with the request's usage. */
  requestId?: string;
  /** The API key's name and its spend's listener, as for a chat. */
  keyName?: ChatRequest["keyName"];
  onRecord?: ChatRequest["onRecord"];
  signal?: AbortSignal;
  /** The request's span, while tracing is on: each call to a model is traced under it. */
  trace?: AttemptTracer;
}

/**
 * A provider's `embed` in the shape routing calls: a whole answer (`collect`), one `embeddings` part
 * then usage and finish, so the fallback chain, deadlines, limits and breakers treat it as any call.
 */
export function embeddingAdapter(adapter: ModelAdapter, embed: Omit<EmbedOptions, "signal" | "onResponse">): ModelAdapter {
  return {
    provider: adapter.provider,
    modelId: adapter.modelId,
    stream: () => {
      throw new LfError("internal", "An embeddings call is read whole.");
    },
    async collect(options) {
      if (adapter.embed === undefined) throw new LfError("invalid_request", `The ${adapter.provider} provider has no embeddings API.`);
      const result = await adapter.embed({
        ...embed,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.onResponse ? { onResponse: options.onResponse } : {}),
        ...(options.trace ? { traceparent: options.trace.traceparent } : {}),
      });
      options.onOutput?.();
      const parts: StreamPart[] = [{ type: "embeddings", vectors: result.vectors }];
      if (result.usage !== undefined) parts.push({ type: "usage", usage: result.usage });
      parts.push({ type: "finish", finishReason: "stop" });
      return parts;
    },
  };
}

/** The vectors and usage of a whole embeddings answer; an error part is thrown. */
export function embeddingsOf(parts: readonly StreamPart[]): { vectors: number[][]; usage: Usage | undefined } {
  let vectors: number[][] | undefined;
  let usage: Usage | undefined;
  for (const part of parts) {
    if (part.type === "error") throw part.error;
    if (part.type === "embeddings") vectors = part.vectors;
    else if (part.type === "usage") usage = part.usage;
  }
  if (vectors === undefined) throw new LfError("internal", "The embeddings call ended without vectors.");
  return { vectors, usage };
}

/** A model asked for what it does not serve: a 400 naming the model and what it lacks. */
export function wrongKind(model: string, what: string, asked: "chat" | "embeddings", instead: string): LfError {
  const message =
    asked === "chat"
      ? `"${model}" is ${what} (capabilities.embeddings): it has no chat; use ${instead}.`
      : `"${model}" is ${what}: it cannot serve embeddings; give an embeddings model ${instead}.`;
  return new LfError("invalid_request", message, { details: { param: "model" } });
}
