import type { LfErrorCode } from "../core/index.js";
import type { BreakerState } from "../state/index.js";

export type SkipReason =
  | "needs_tools"
  | "needs_vision"
  | "needs_json"
  | "context_window"
  | "rate_limited"
  | "circuit_open"
  | "probe_in_flight"
  | "max_cost"
  | "max_latency"
  | "deadline"
  | "budget"
  | "unavailable";

/** One step of one request: a call to a model, or a model passed over without a call. */
export interface RouteAttempt {
  model: string;
  outcome: "success" | "failed" | "skipped" | "aborted";
  /** Calls: 1 for the first call to this model, 2 for its first retry... */
  attempt?: number;
  code?: LfErrorCode;
  status?: number;
  durationMs: number;
  /** The call failed after output had reached the client; it ended as an `error` part. */
  afterOutput?: boolean;
  skipped?: SkipReason;
  retryAfterMs?: number;
  /** For people: the error message or why the model was passed over. */
  detail?: string;
  /** `detail` as a client of the API may read it (no upstream URL or upstream text); default: `detail`. */
  clientDetail?: string;
}

export type RoutingEvent =
  | { type: "breaker"; model: string; from: BreakerState; to: BreakerState; at: number; reason: string }
  | { type: "attempt"; attempt: RouteAttempt }
  /** A model's MCP server after a binding: `problem` says why it could not be used, absent when it could. */
  | { type: "tools"; model: string; server: string; problem?: string };

export type RoutingEventListener = (event: RoutingEvent) => void;
