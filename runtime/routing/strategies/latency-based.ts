import { expectedLatency } from "./expected-latency.js";
import { rankBy, shuffle } from "./rank-by.js";
import type { RoutingStrategy, ScoredCandidate } from "./routing-strategy.js";

/**
 * Fastest expected answer first (average time to first token plus average time per output token times
 * the expected output). Candidates within `tolerance` of the fastest are shuffled among, so near-equal
 * models share the load; a model with no samples yet joins them, so it gets measured.
 */
export const latencyBased: RoutingStrategy = (candidates, { spec, features, random }) => {
  const tolerance = spec.tolerance ?? 0;
  const scored = candidates.map((c) => ({ c, ms: expectedLatency(c.latency, features.expectedOutputTokens) }));
  const known = scored.flatMap((s) => (s.ms === undefined ? [] : [s.ms]));
  const best = known.length > 0 ? Math.min(...known) : 0;
  const bound = best * (1 + tolerance);
  const near = scored.filter((s) => s.ms === undefined || s.ms <= bound);
  const far = scored.filter((s) => s.ms !== undefined && s.ms > bound);
  const describe = (s: (typeof scored)[number], note: string): ScoredCandidate => ({
    model: s.c.model,
    score: s.ms === undefined ? null : Math.round(s.ms),
    reason: s.ms === undefined ? "no latency samples yet" : `about ${Math.round(s.ms)}ms expected${note}`,
  });
  return [
    ...shuffle(near, random).map((s) => describe(s, `, within ${Math.round(tolerance * 100)}% of the fastest`)),
    ...rankBy(far, (s) => s.ms ?? 0, "asc", random).map((s) => describe(s, "")),
  ];
};
