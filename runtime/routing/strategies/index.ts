import type { StrategyName } from "../router-spec.js";
import { complexity } from "./complexity.js";
import { costBased } from "./cost-based.js";
import { latencyBased } from "./latency-based.js";
import { leastBusy } from "./least-busy.js";
import type { RoutingStrategy } from "./routing-strategy.js";
import { simpleShuffle } from "./simple-shuffle.js";
import { usageBased } from "./usage-based.js";

export const STRATEGIES: Readonly<Record<StrategyName, RoutingStrategy>> = {
  "simple-shuffle": simpleShuffle,
  "least-busy": leastBusy,
  "usage-based": usageBased,
  "latency-based": latencyBased,
  "cost-based": costBased,
  complexity,
};

export type { CandidateStats, RoutingStrategy, ScoredCandidate, StrategyContext } from "./routing-strategy.js";
export { TIER_FALLBACKS } from "./complexity.js";
export { expectedLatency } from "./expected-latency.js";
