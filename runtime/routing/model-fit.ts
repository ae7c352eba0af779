import type { RequestFeatures } from "./request-features.js";
import type { RoutableModel } from "./routable-model.js";
import type { SkipReason } from "./route-attempt.js";

export interface Misfit {
  reason: SkipReason;
  detail: string;
}

/** Why a model cannot take this request at all, whatever its load; undefined when it can. */
export function modelMisfit(model: RoutableModel, features: RequestFeatures): Misfit | undefined {
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
