import type { CallTrace, Usage } from "../core/index.js";
import type { ErrorClass } from "./classify-error.js";
import type { RouteAttempt } from "./route-attempt.js";
import type { RoutableModel } from "./routable-model.js";

/** One call's span: its `CallTrace` goes with the call, and it ends with the attempt as recorded. */
export interface AttemptSpan extends CallTrace {
  /** `failure`: how the call's error was classified, absent when the call answered. */
  end(attempt: RouteAttempt, failure?: ErrorClass, usage?: Usage): void;
}

/** Opens a span for each call a request makes; given only while tracing is on. */
export interface AttemptTracer {
  attempt(model: RoutableModel, call: number): AttemptSpan;
}
