import { rankBy } from "./rank-by.js";
import type { CandidateStats, RoutingStrategy } from "./routing-strategy.js";

/**
 * Most headroom first: the smaller of the rpm and tpm fractions still free this minute, counting
 * this request. A model without rpm or tpm limits has all its headroom.
 */
export const usageBased: RoutingStrategy = (candidates, { random, features }) => {
  const headroom = (c: CandidateStats) => {
    const limits = c.model.limits ?? {};
    const fractions = [1];
    if (limits.rpm !== undefined) fractions.push(1 - (c.rpmUsed + 1) / limits.rpm);
    if (limits.tpm !== undefined) fractions.push(1 - (c.tpmUsed + features.promptTokens) / limits.tpm);
    return Math.max(0, Math.min(...fractions));
  };
  return rankBy(candidates, headroom, "desc", random).map((c) => {
    const free = headroom(c);
    return { model: c.model, score: free, reason: `${Math.round(free * 100)}% of rpm/tpm free` };
  });
};
