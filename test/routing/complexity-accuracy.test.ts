import { describe, expect, it } from "vitest";
import { scoreHeldOut } from "../../bench/routing/bench.js";

// The held-out part of bench/routing/set/ (never read by the trainer), through the real classifier.
// The bars are the figures the shipped weights reach (docs/routing.md), so a change that loses accuracy
// fails here; the goal (90% acceptable, every language 85%) is above them.
describe("the complexity classifier on the held-out conversations", () => {
  const score = scoreHeldOut();

  it("holds its accuracy overall", () => {
    expect(score.items).toBeGreaterThanOrEqual(240);
    expect(score.acceptable / score.items).toBeGreaterThanOrEqual(0.85);
    expect(score.exact / score.items).toBeGreaterThanOrEqual(0.8);
  });

  it("holds it in every tier and language", () => {
    for (const [tier, g] of Object.entries(score.byTier)) expect(g.acceptable / g.items, tier).toBeGreaterThanOrEqual(0.75);
    for (const [lang, g] of Object.entries(score.byLanguage)) expect(g.acceptable / g.items, lang).toBeGreaterThanOrEqual(lang === "zh" || lang === "ja" ? 0.55 : 0.85);
  });
});
