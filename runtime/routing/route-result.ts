import type { StreamPart, Usage } from "../core/index.js";
import type { RouteAttempt } from "./route-attempt.js";

/**
 * The answer to one routed request: a stream that can be read once, and what routing did to get it.
 * `servedBy` is set just before the first part reaches the reader; `attempts` grows as models are tried.
 */
export interface RouteResult extends AsyncIterable<StreamPart> {
  readonly servedBy: string | undefined;
  readonly attempts: readonly RouteAttempt[];
  /** The serving model's reported usage, once its stream has ended. */
  readonly usage: Usage | undefined;
}
