import { classifyComplexity } from "../classify-complexity.js";
import type { Tier } from "../router-spec.js";
import type { CandidateStats, RoutingStrategy } from "./routing-strategy.js";

/** When a tier has no model, the next sensible one: stronger before weaker, never a toy for hard work. */
export const TIER_FALLBACKS: Record<Tier, readonly Tier[]> = {
  simple: ["simple", "medium", "complex", "reasoning", "code"],
  medium: ["medium", "complex", "simple", "reasoning", "code"],
  complex: ["complex", "reasoning", "medium", "code", "simple"],
  code: ["code", "complex", "reasoning", "medium", "simple"],
  reasoning: ["reasoning", "complex", "medium", "code", "simple"],
};

/** Classifies the request locally, then orders the members by how well their tier fits it. */
export const complexity: RoutingStrategy = (candidates, { spec, features }) => {
  const verdict = classifyComplexity(features);
  const chain = TIER_FALLBACKS[verdict.tier];
  const tierOf = (c: CandidateStats): Tier | undefined =>
    c.member.tier ?? chain.find((tier) => spec.tiers?.[tier] === c.model.name);
  const rank = (c: CandidateStats) => {
    const tier = tierOf(c);
    return tier === undefined ? chain.length : chain.indexOf(tier);
  };
  const ordered = [...candidates].sort((a, b) => rank(a) - rank(b));
  return ordered.map((c) => {
    const tier = tierOf(c);
    const why =
      tier === undefined
        ? "no tier"
        : tier === verdict.tier
          ? `tier ${tier} matches`
          : `tier ${tier} stands in for ${verdict.tier}`;
    return { model: c.model, score: rank(c), reason: `${why} (request: ${verdict.tier}; ${verdict.signals.join(", ")})` };
  });
};
