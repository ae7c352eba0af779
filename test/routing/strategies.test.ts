import { describe, expect, it } from "vitest";
import { seededRandom, type Random } from "../../runtime/core/index.js";
import { classifyComplexity } from "../../runtime/routing/classify-complexity.js";
import { requestFeatures } from "../../runtime/routing/request-features.js";
import type { ModelLimits, ModelPricing } from "../../runtime/routing/routable-model.js";
import type { RouterMember, RouterSpec, StrategyName } from "../../runtime/routing/router-spec.js";
import { STRATEGIES, type CandidateStats } from "../../runtime/routing/strategies/index.js";
import type { LatencyStats } from "../../runtime/state/index.js";
import { ManualClock } from "../helpers/manual-clock.js";
import { model, scriptedAdapter } from "./scripted-adapter.js";

const clock = new ManualClock();

interface Spec {
  name: string;
  weight?: number;
  tier?: RouterMember["tier"];
  limits?: ModelLimits;
  pricing?: ModelPricing;
  latency?: Partial<LatencyStats>;
  inFlight?: number;
  rpmUsed?: number;
  tpmUsed?: number;
}

function candidate(spec: Spec): CandidateStats {
  return {
    model: model(spec.name, scriptedAdapter(spec.name, clock, []), {
      ...(spec.limits ? { limits: spec.limits } : {}),
      ...(spec.pricing ? { pricing: spec.pricing } : {}),
    }),
    member: { model: spec.name, ...(spec.weight !== undefined ? { weight: spec.weight } : {}), ...(spec.tier ? { tier: spec.tier } : {}) },
    inFlight: spec.inFlight ?? 0,
    rpmUsed: spec.rpmUsed ?? 0,
    tpmUsed: spec.tpmUsed ?? 0,
    latency: spec.latency ? { ttftMs: undefined, msPerToken: undefined, samples: 1, updatedAt: 0, ...spec.latency } : undefined,
  };
}

function rank(strategy: StrategyName, candidates: CandidateStats[], random: Random = seededRandom(1), prompt = "hello", extra: Partial<RouterSpec> = {}) {
  const features = requestFeatures({ messages: [{ role: "user", content: prompt }], parameters: { max_tokens: 100 } }, extra.expectedOutputTokens);
  const spec: RouterSpec = { strategy, members: candidates.map((c) => c.member), ...extra };
  return STRATEGIES[strategy](candidates, { spec, features, clock, random });
}

function firstPicks(strategy: StrategyName, candidates: CandidateStats[], picks: number, extra: Partial<RouterSpec> = {}) {
  const random = seededRandom(42);
  const counts: Record<string, number> = {};
  for (let i = 0; i < picks; i++) {
    const name = rank(strategy, candidates, random, "hello", extra)[0]!.model.name;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

describe("simple-shuffle", () => {
  it("spreads picks by explicit weight: 3:1 gives about 75%", () => {
    const counts = firstPicks("simple-shuffle", [candidate({ name: "a", weight: 3 }), candidate({ name: "b", weight: 1 })], 4000);
    expect(Math.abs(counts["a"]! / 4000 - 0.75)).toBeLessThan(0.03);
  });

  it("uses rpm as the weight when no member has one, else equal weights", () => {
    const byRpm = firstPicks("simple-shuffle", [candidate({ name: "a", limits: { rpm: 100 } }), candidate({ name: "b", limits: { rpm: 300 } })], 4000);
    expect(Math.abs(byRpm["b"]! / 4000 - 0.75)).toBeLessThan(0.03);
    const equal = firstPicks("simple-shuffle", [candidate({ name: "a" }), candidate({ name: "b" }), candidate({ name: "c" })], 3000);
    for (const name of ["a", "b", "c"]) expect(Math.abs(equal[name]! / 3000 - 1 / 3)).toBeLessThan(0.03);
  });

  it("orders every member, so the rest of the list is a fallback", () => {
    const order = rank("simple-shuffle", [candidate({ name: "a", weight: 1 }), candidate({ name: "b", weight: 0 }), candidate({ name: "c", weight: 2 })]);
    expect(order.map((o) => o.model.name).sort()).toEqual(["a", "b", "c"]);
    expect(order[2]!.model.name).toBe("b");
  });
});

describe("least-busy", () => {
  it("picks the member with the fewest requests in flight", () => {
    const order = rank("least-busy", [candidate({ name: "a", inFlight: 4 }), candidate({ name: "b", inFlight: 1 }), candidate({ name: "c", inFlight: 2 })]);
    expect(order.map((o) => [o.model.name, o.score])).toEqual([["b", 1], ["c", 2], ["a", 4]]);
  });

  it("keeps in-flight counts level as requests pile up", () => {
    const pool = [candidate({ name: "a" }), candidate({ name: "b" }), candidate({ name: "c" })];
    const random = seededRandom(9);
    for (let i = 0; i < 300; i++) {
      const picked = rank("least-busy", pool, random)[0]!.model.name;
      pool.find((c) => c.model.name === picked)!.inFlight++;
    }
    const loads = pool.map((c) => c.inFlight);
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
  });

  it("shares an idle pool evenly", () => {
    const counts = firstPicks("least-busy", [candidate({ name: "a" }), candidate({ name: "b" })], 2000);
    expect(Math.abs(counts["a"]! / 2000 - 0.5)).toBeLessThan(0.04);
  });
});

describe("usage-based", () => {
  it("picks the member with the most rpm/tpm headroom", () => {
    const order = rank("usage-based", [
      candidate({ name: "a", limits: { rpm: 10 }, rpmUsed: 8 }),
      candidate({ name: "b", limits: { rpm: 100, tpm: 1000 }, rpmUsed: 10, tpmUsed: 900 }),
      candidate({ name: "c", limits: { rpm: 100 }, rpmUsed: 20 }),
    ]);
    expect(order.map((o) => o.model.name)).toEqual(["c", "a", "b"]);
  });

  it("fills members in proportion to their limits", () => {
    const pool = [candidate({ name: "small", limits: { rpm: 10 } }), candidate({ name: "large", limits: { rpm: 30 } })];
    const random = seededRandom(5);
    for (let i = 0; i < 36; i++) {
      const picked = rank("usage-based", pool, random)[0]!.model.name;
      pool.find((c) => c.model.name === picked)!.rpmUsed++;
    }
    expect(pool.map((c) => c.rpmUsed)).toEqual([9, 27]);
  });
});

describe("latency-based", () => {
  const pool = () => [
    candidate({ name: "slow", latency: { ttftMs: 900, msPerToken: 20 } }),
    candidate({ name: "fast", latency: { ttftMs: 100, msPerToken: 10 } }),
    candidate({ name: "close", latency: { ttftMs: 150, msPerToken: 10.2 } }),
  ];

  it("puts the fastest expected answer first", () => {
    expect(firstPicks("latency-based", pool(), 200)).toEqual({ fast: 200 });
    expect(rank("latency-based", pool()).map((o) => o.model.name)).toEqual(["fast", "close", "slow"]);
  });

  it("shuffles among members within the tolerance of the fastest", () => {
    const counts = firstPicks("latency-based", pool(), 2000, { tolerance: 0.1 });
    expect(counts["slow"]).toBeUndefined();
    expect(Math.abs(counts["fast"]! / 2000 - 0.5)).toBeLessThan(0.04);
  });

  it("gives a member with no samples its chance", () => {
    const withNew = [...pool(), candidate({ name: "new" })];
    const counts = firstPicks("latency-based", withNew, 1000);
    expect(counts["new"]! / 1000).toBeGreaterThan(0.4);
    expect(counts["slow"]).toBeUndefined();
  });
});

describe("cost-based", () => {
  it("puts the cheapest estimated request first, local models at zero", () => {
    const order = rank("cost-based", [
      candidate({ name: "premium", pricing: { input_per_1k: 0.01, output_per_1k: 0.03 } }),
      candidate({ name: "local" }),
      candidate({ name: "cheap", pricing: { input_per_1k: 0.0005, output_per_1k: 0.0015 } }),
    ]);
    expect(order.map((o) => [o.model.name, o.score])).toEqual([
      ["local", 0],
      ["cheap", expect.closeTo(0.00015 + 0.0000005 * 2, 8)],
      ["premium", expect.closeTo(0.003 + 0.00001 * 2, 8)],
    ]);
  });

  it("weighs the expected output: cheap input loses on long answers", () => {
    const pool = [
      candidate({ name: "cheap-in", pricing: { input_per_1k: 0.001, output_per_1k: 0.02 } }),
      candidate({ name: "cheap-out", pricing: { input_per_1k: 0.01, output_per_1k: 0.002 } }),
    ];
    const short = rank("cost-based", pool, seededRandom(1), "x".repeat(8000), { expectedOutputTokens: 10 });
    const long = rank("cost-based", pool, seededRandom(1), "x".repeat(8000), { expectedOutputTokens: 4000 });
    expect(short[0]!.model.name).toBe("cheap-in");
    expect(long[0]!.model.name).toBe("cheap-out");
  });
});

describe("complexity", () => {
  const tierOf = (prompt: string) => classifyComplexity(requestFeatures({ messages: [{ role: "user", content: prompt }], parameters: {} })).tier;

  it("sorts requests into tiers", () => {
    // Clear cases only: the classifier's accuracy is measured on a labelled set (complexity-accuracy.test.ts).
    expect(tierOf("What is the capital of France?")).toBe("simple");
    expect(tierOf("Hi there")).toBe("simple");
    expect(tierOf("Fix this:\n```js\nconst x = 1\n```")).toBe("code");
    expect(tierOf("Prove that the square root of 2 is irrational.")).toBe("reasoning");
    expect(tierOf("Think step by step: a bat and a ball cost 1.10 in total, how much is the ball?")).toBe("reasoning");
  });

  it("maps the tier to its member and falls to the next sensible tier when one is missing", () => {
    const pool = [
      candidate({ name: "small", tier: "simple" }),
      candidate({ name: "big", tier: "complex" }),
      candidate({ name: "coder", tier: "code" }),
    ];
    expect(rank("complexity", pool, seededRandom(1), "hello")[0]!.model.name).toBe("small");
    expect(rank("complexity", pool, seededRandom(1), "```ts\nlet a = 1;\n```")[0]!.model.name).toBe("coder");
    const reasoning = rank("complexity", pool, seededRandom(1), "Prove it step by step.");
    expect(reasoning.map((o) => o.model.name)).toEqual(["big", "coder", "small"]);
    expect(reasoning[0]!.reason).toContain("tier complex stands in for reasoning");
  });

  it("reads tiers from the spec when members do not name them", () => {
    const pool = [candidate({ name: "small" }), candidate({ name: "coder" })];
    const order = rank("complexity", pool, seededRandom(1), "```py\nprint(1)\n```", { tiers: { code: "coder", simple: "small" } });
    expect(order[0]!.model.name).toBe("coder");
  });
});
