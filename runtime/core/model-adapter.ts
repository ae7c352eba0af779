import type { ModelCallOptions } from "./chat.js";
import type { EmbedOptions, Embeddings } from "./embedding.js";
import type { StreamPart } from "./stream-part.js";

/** The HTTP request a call would make, for `lf chat --dry-run`. Secrets are masked. */
export interface RequestPreview {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface ConnectivityResult {
  ok: boolean;
  latencyMs: number;
  detail?: string;
}

/**
 * One configured model on one provider. `stream` is the one way to call it: a whole (non-streaming)
 * answer is the stream, collected, so that the `connect`, `first_token` and `idle` deadlines watch
 * every call and a hung model is passed over with time left for the next one.
 *
 * Contract: an error that happens before the first output part is thrown from the iterator (so the
 * caller can still fall back); once output has started it arrives as an `error` part and the stream ends.
 * `options.onResponse` is called once the provider has answered, before the first part.
 *
 * `collect`, where a provider has it, reads the same stream whole and returns its parts at once (no
 * step per part: the fast way to a whole answer), calling `onResponse` and `onOutput` as the stream
 * goes, so that the same deadlines watch it. It throws every error.
 */
export interface ModelAdapter {
  readonly provider: string;
  readonly modelId: string;
  stream(options: ModelCallOptions): AsyncIterable<StreamPart>;
  collect?(options: ModelCallOptions): Promise<StreamPart[]>;
  /** Embeds a batch of inputs, where the provider has an embeddings API; it throws every error. */
  embed?(options: EmbedOptions): Promise<Embeddings>;
  /** The request `stream(options)` would send, secrets masked; absent for in-process providers. */
  preview?(options: ModelCallOptions): RequestPreview;
  /** A cheap reachability check (list models or similar). */
  check?(signal?: AbortSignal): Promise<ConnectivityResult>;
  close?(): Promise<void>;
}
