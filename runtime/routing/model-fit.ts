import type { LatencyStats } from "../state/index.js";
import type { RequestFeatures } from "./request-features.js";
import type { RoutableModel } from "./routable-model.js";
import type { SkipReason } from "./route-attempt.js";
import { expectedLatency } from "./strategies/expected-latency.js";

/** Per-request limits on which models may answer. */
export interface RouteConstraints {
  /** Dollars, estimated from pricing, the prompt and the expected output. */
  maxCost?: number;
  /** Milliseconds, expected from the latency averages; a model with no samples passes. */
  maxLatencyMs?: number;
}

export interface Misfit {
  reason: SkipReason;
  detail: string;
}

/** Why a model cannot take this request at all, whatever its load; undefined when it can. */
export function modelMisfit(model: RoutableModel, features: RequestFeatures): Misfit | undefined {
  if (model.unavailable !== undefined) return { reason: "unavailable", detail: model.unavailable };
  if (features.needsTools && !model.capabilities.tools) {
    return { reason: "needs_tools", detail: "the request has tools and the model has no tools capability" };
  }
  if (features.needsVision && !model.capabilities.vision) {
    return { reason: "needs_vision", detail: "the request has images and the model has no vision capability" };
  }
  if (features.needsJson && !model.capabilities.json) {
    return { reason: "needs_json", detail: "the request asks for JSON and the model has no json capability" };
  }
  if (model.contextWindow !== undefined && features.promptTokens > model.contextWindow) {
    return {
      reason: "context_window",
      detail: `about ${features.promptTokens} prompt tokens exceed the context window of ${model.contextWindow}`,
    };
  }
  return undefined;
}

/** Estimated dollars for this request; an unpriced (local) model costs nothing. */
export function estimateCost(model: RoutableModel, inputTokens: number, outputTokens: number): number {
  if (model.pricing === undefined) return 0;
  return (inputTokens / 1000) * model.pricing.input_per_1k + (outputTokens / 1000) * model.pricing.output_per_1k;
}

/** Why a model breaks the request's `max_cost` or `max_latency`; undefined when it does not. */
export function constraintMisfit(
  model: RoutableModel,
  features: RequestFeatures,
  constraints: RouteConstraints,
  latency: LatencyStats | undefined,
): Misfit | undefined {
  const cost = estimateCost(model, features.promptTokens, features.expectedOutputTokens);
  if (constraints.maxCost !== undefined && cost > constraints.maxCost) {
    return { reason: "max_cost", detail: `about $${cost.toFixed(6)} exceeds max_cost $${constraints.maxCost}` };
  }
  const ms = expectedLatency(latency, features.expectedOutputTokens);
  if (constraints.maxLatencyMs !== undefined && ms !== undefined && ms > constraints.maxLatencyMs) {
    return { reason: "max_latency", detail: `about ${Math.round(ms)}ms exceeds max_latency ${constraints.maxLatencyMs}ms` };
  }
  return undefined;
}
