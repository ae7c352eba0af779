import type { StreamPart, Usage } from "../core/index.js";
import type { RouteAttempt } from "./route-attempt.js";

/**
 * The answer to one routed request: a stream that can be read once, and what routing did to get it.
 * `servedBy` is set just before the first part reaches the reader; `attempts` grows as models are tried.
 */
export interface RouteResult extends AsyncIterable<StreamPart> {
  /**
   * The whole answer's parts at once, read instead of the stream (once, like it). With `holdOutput` and
   * a model that can answer whole, no part is passed along one by one.
   */
  collect(): Promise<StreamPart[]>;
  readonly servedBy: string | undefined;
  readonly attempts: readonly RouteAttempt[];
  /** The serving model's reported usage, once its stream has ended. */
  readonly usage: Usage | undefined;
  /**
   * When (on the executor's clock) the serving model's first output arrived: its first text or tool
   * call, as the adapter read it, whole answers included. The one first-output time of the request:
   * the ledger's TTFT, the `/metrics` TTFT and the latency statistics all derive from it.
   */
  readonly firstOutputAt: number | undefined;
}
