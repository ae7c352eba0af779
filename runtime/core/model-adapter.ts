import type { ModelCallOptions } from "./chat.js";
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
 * One configured model on one provider. `stream` is the way to call it; `generate`, where a provider
 * has it, asks for a whole answer instead and returns the parts a stream of it would have made, all at
 * once (a non-streaming answer is otherwise the stream, collected: see `collectStream`).
 *
 * Contract: an error that happens before the first output part is thrown from the iterator (so the
 * caller can still fall back); once output has started it arrives as an `error` part and the stream ends.
 * `generate` throws every error: nothing has been seen before it returns.
 */
export interface ModelAdapter {
  readonly provider: string;
  readonly modelId: string;
  stream(options: ModelCallOptions): AsyncIterable<StreamPart>;
  /**
   * The whole answer in one call to the provider (no stream). It shows nothing until it ends, so only
   * the `total` timeout can watch it.
   */
  generate?(options: ModelCallOptions): Promise<StreamPart[]>;
  /** The request `stream(options)` would send, secrets masked; absent for in-process providers. */
  preview?(options: ModelCallOptions): RequestPreview;
  /** A cheap reachability check (list models or similar). */
  check?(signal?: AbortSignal): Promise<ConnectivityResult>;
  close?(): Promise<void>;
}
