import type { Random } from "../../core/index.js";

/**
 * Sorts by `score` (ascending or descending); equal scores are put in random order, so that idle or
 * equally priced candidates share the load instead of the first one taking it all.
 */
export function rankBy<T>(items: readonly T[], score: (item: T) => number, order: "asc" | "desc", random: Random): T[] {
  const keyed = items.map((item) => ({ item, score: score(item), tie: random.next() }));
  const sign = order === "asc" ? 1 : -1;
  keyed.sort((a, b) => (a.score === b.score ? a.tie - b.tie : sign * (a.score - b.score)));
  return keyed.map((entry) => entry.item);
}

export function shuffle<T>(items: readonly T[], random: Random): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
