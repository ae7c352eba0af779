import type { CandidateStats, RoutingStrategy } from "./routing-strategy.js";

/**
 * Weighted random order: explicit weights when any member has one, else every member's rpm, else
 * every member's tpm, else equal. Sampling without replacement, so the rest of the order is weighted too.
 */
export const simpleShuffle: RoutingStrategy = (candidates, { random }) => {
  const { weightOf, basis } = weighting(candidates);
  const total = candidates.reduce((sum, c) => sum + weightOf(c), 0);
  const remaining = [...candidates];
  const ordered = [];
  while (remaining.length > 0) {
    const left = remaining.reduce((sum, c) => sum + weightOf(c), 0);
    let index = remaining.length - 1;
    if (left > 0) {
      let point = random.next() * left;
      index = remaining.findIndex((c) => (point -= weightOf(c)) < 0);
      if (index < 0) index = remaining.length - 1;
    } else {
      index = Math.floor(random.next() * remaining.length);
    }
    const [picked] = remaining.splice(index, 1);
    const share = total > 0 ? weightOf(picked!) / total : 1 / candidates.length;
    ordered.push({ model: picked!.model, score: share, reason: `${basis} ${weightOf(picked!)}: ${Math.round(share * 100)}% of picks` });
  }
  return ordered;
};

function weighting(candidates: readonly CandidateStats[]): { weightOf: (c: CandidateStats) => number; basis: string } {
  if (candidates.some((c) => c.member.weight !== undefined)) {
    return { weightOf: (c) => Math.max(0, c.member.weight ?? 1), basis: "weight" };
  }
  if (candidates.length > 0 && candidates.every((c) => c.model.limits?.rpm !== undefined)) {
    return { weightOf: (c) => c.model.limits?.rpm ?? 0, basis: "rpm" };
  }
  if (candidates.length > 0 && candidates.every((c) => c.model.limits?.tpm !== undefined)) {
    return { weightOf: (c) => c.model.limits?.tpm ?? 0, basis: "tpm" };
  }
  return { weightOf: () => 1, basis: "equal weight" };
}
