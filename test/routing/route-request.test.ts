import { describe, expect, it } from "vitest";
import { seededRandom, type ModelCallOptions, type StreamPart } from "../../runtime/core/index.js";
import { candidateChain } from "../../runtime/routing/candidate-chain.js";
import { CircuitBreaker } from "../../runtime/routing/circuit-breaker.js";
import { executeWithFallback } from "../../runtime/routing/execute-with-fallback.js";
import type { RoutableModel } from "../../runtime/routing/routable-model.js";
import { explainRoute, routeRequest } from "../../runtime/routing/route-request.js";
import type { RouterSpec } from "../../runtime/routing/router-spec.js";
import { MemoryStateStore } from "../../runtime/state/index.js";
import { ManualClock } from "../helpers/manual-clock.js";
import { answer, httpError, model, scriptedAdapter } from "./scripted-adapter.js";

function fixture() {
  const clock = new ManualClock();
  const store = new MemoryStateStore({ clock });
  const deps = { store, clock, random: seededRandom(11) };
  const make = (name: string, overrides: Partial<RoutableModel> = {}) =>
    model(name, scriptedAdapter(name, clock, [answer(name)]), overrides);
  const models = new Map<string, RoutableModel>(
    [
      make("local"),
      make("mini", { pricing: { input_per_1k: 0.00015, output_per_1k: 0.0006 } }),
      make("premium", { pricing: { input_per_1k: 0.005, output_per_1k: 0.015 } }),
      make("no-tools", { capabilities: { tools: false, vision: false, json: true } }),
    ].map((m) => [m.name, m]),
  );
  return { clock, store, deps, models };
}

const ask = (content: string, extra: Partial<ModelCallOptions> = {}): ModelCallOptions => ({
  messages: [{ role: "user", content }],
  parameters: { max_tokens: 1000 },
  ...extra,
});

const costRouter: RouterSpec = { strategy: "cost-based", members: ["premium", "mini", "local", "no-tools"].map((model) => ({ model })) };

describe("routeRequest", () => {
  it("ranks with the strategy and explains every member", async () => {
    const { deps, models } = fixture();
    const decision = await routeRequest(costRouter, models, ask("hi", { tools: [{ name: "t", parameters: {} }] }), deps);
    expect(decision.ordered.map((m) => m.name)).toEqual(["local", "mini", "premium"]);
    expect(decision.explanation.candidates.map((c) => [c.model, c.rank, c.chosen, c.skipped])).toEqual([
      ["local", 1, true, undefined],
      ["mini", 2, false, undefined],
      ["premium", 3, false, undefined],
      ["no-tools", null, false, "needs_tools"],
    ]);
    expect(decision.skipped).toMatchObject([{ model: "no-tools", outcome: "skipped", skipped: "needs_tools" }]);
  });

  it("filters by max_cost and max_latency", async () => {
    const { deps, models, store } = fixture();
    await store.recordLatency("latency:mini", { ttftMs: 2000, msPerToken: 20 }, 1);
    const explanation = await explainRoute(costRouter, models, ask("hi"), deps, { maxCost: 0.005, maxLatencyMs: 5000 });
    const byModel = Object.fromEntries(explanation.candidates.map((c) => [c.model, c.skipped]));
    expect(byModel).toMatchObject({ premium: "max_cost", mini: "max_latency", local: undefined });
  });

  it("puts members with an open circuit or over their limits last", async () => {
    const { deps, models } = fixture();
    const local = { ...models.get("local")!, limits: { rpm: 1 } };
    const premium = models.get("premium")!;
    models.set("local", local);
    const breaker = new CircuitBreaker(deps.store);
    for (let i = 0; i < 1000; i++) await breaker.record(premium, false, false);
    await deps.store.incrWindow("rpm:local", 1, 60_000);
    const decision = await routeRequest(costRouter, models, ask("hi"), deps);
    expect(decision.explanation.candidates.map((c) => [c.model, c.rank, c.skipped])).toEqual([
      ["no-tools", 1, undefined],
      ["mini", 2, undefined],
      ["premium", 3, "circuit_open"],
      ["local", 4, "rate_limited"],
    ]);
  });

  it("reports the complexity tier in its explanation", async () => {
    const { deps, models } = fixture();
    const spec: RouterSpec = { strategy: "complexity", members: [{ model: "mini", tier: "simple" }, { model: "premium", tier: "reasoning" }] };
    const explanation = await explainRoute(spec, models, ask("Prove that there are infinitely many primes."), deps);
    expect(explanation.complexity?.tier).toBe("reasoning");
    expect(explanation.candidates[0]).toMatchObject({ model: "premium", chosen: true });
  });

  it("feeds the executor: the router's pick, its members, then the fallbacks, once each", async () => {
    const { clock, deps, models } = fixture();
    const broken = model("broken", scriptedAdapter("broken", clock, [[{ throw: httpError(503) }]]));
    models.set("broken", broken);
    const spec: RouterSpec = { strategy: "least-busy", members: [{ model: "broken" }] };
    const decision = await routeRequest(spec, models, ask("hi"), deps);
    const chain = candidateChain(decision.ordered, [["broken", "mini"], ["mini", "local"]], models);
    expect(chain.map((m) => m.name)).toEqual(["broken", "mini", "local"]);
    const result = executeWithFallback({ candidates: chain, options: ask("hi"), skipped: decision.skipped }, deps);
    const parts: StreamPart[] = [];
    await clock.run(
      (async () => {
        for await (const part of result) parts.push(part);
      })(),
    );
    expect(result.servedBy).toBe("mini");
  });
});
