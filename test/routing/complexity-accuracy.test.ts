import { describe, expect, it } from "vitest";
import { scoreHeldOut } from "../../bench/routing/bench.js";

// The held-out part of bench/routing/set/ (never read by the trainer), through the real classifier.
// The bars are the router's goals (docs/routing.md has the figures the shipped weights reach): 90% of
// conversations in an acceptable tier, 80% in the exact one, every language at 85%.
describe("the complexity classifier on the held-out conversations", () => {
  const score = scoreHeldOut();

  it("holds its accuracy overall", () => {
    expect(score.items).toBeGreaterThanOrEqual(240);
    expect(score.acceptable / score.items).toBeGreaterThanOrEqual(0.9);
    expect(score.exact / score.items).toBeGreaterThanOrEqual(0.8);
  });

  it("holds it in every tier and language", () => {
    for (const [tier, g] of Object.entries(score.byTier)) expect(g.acceptable / g.items, tier).toBeGreaterThanOrEqual(0.85);
    expect(Object.keys(score.byLanguage).sort()).toEqual(["de", "en", "es", "fr", "ja", "pt", "zh"]);
    for (const [lang, g] of Object.entries(score.byLanguage)) expect(g.acceptable / g.items, lang).toBeGreaterThanOrEqual(0.85);
  });
});
