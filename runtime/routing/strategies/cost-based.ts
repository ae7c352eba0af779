import { estimateCost } from "../model-fit.js";
import { rankBy } from "./rank-by.js";
import type { RoutingStrategy } from "./routing-strategy.js";

/** Cheapest estimated request first, from pricing per 1k tokens; unpriced (local) models cost nothing. */
export const costBased: RoutingStrategy = (candidates, { features, random }) => {
  const cost = (model: (typeof candidates)[number]["model"]) => estimateCost(model, features.promptTokens, features.expectedOutputTokens);
  return rankBy(candidates, (c) => cost(c.model), "asc", random).map((c) => ({
    model: c.model,
    score: cost(c.model),
    reason: c.model.pricing === undefined ? "unpriced: $0" : `about $${cost(c.model).toFixed(6)} for this request`,
  }));
};
