import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LfError } from "../../runtime/core/index.js";
import { MemoryStateStore } from "../../runtime/state/index.js";
import { BudgetGuard, openProjectUsage, type BudgetCheck } from "../../runtime/usage/index.js";
import { ManualClock } from "../helpers/manual-clock.js";
import { projectIn } from "./support/project.js";

const NOON = Date.UTC(2025, 0, 15, 12);
const MIDNIGHT = Date.UTC(2025, 0, 16);
const NEXT_MONTH = Date.UTC(2025, 1, 1);

const PROJECT = `
version: v1
name: shop
namespace: team
budget:
  per_request: 0.5
  daily: 5
  monthly: 50
  when_exceeded: [local]
runtime:
  models:
    - name: smart
      provider: openai
      model: gpt-4o
      api_key: sk-test
      budget: { per_request: 0.1, monthly: 20 }
    - name: mini
      provider: openai
      model: gpt-4o-mini
      api_key: sk-test
    - name: local
      provider: ollama
      model: llama3.1:8b
`;

const costs: Record<string, number> = { smart: 0.05, mini: 0.001, local: 0 };
const estimate = (model: string) => costs[model] ?? 0;

function setup(yaml = PROJECT) {
  const clock = new ManualClock(NOON);
  const store = new MemoryStateStore({ clock });
  const { project, dir } = projectIn(yaml);
  return { clock, store, project, dir, guard: BudgetGuard.forProject(project, store, clock) };
}

function refused(check: BudgetCheck): LfError {
  if (check.ok) throw new Error(`expected a refusal, got ${JSON.stringify(check.models)}`);
  return check.error;
}

describe("BudgetGuard", () => {
  it("lets every candidate through while no budget is spent", async () => {
    const { guard } = setup();
    expect(await guard.check(["smart", "mini"], estimate)).toEqual({ ok: true, models: ["smart", "mini"], substituted: false, passedOver: [] });
  });

  it("without any budget, lets every candidate through unasked and still counts spend for a budget set later", async () => {
    const { guard, store, clock } = setup(PROJECT.replace(/^budget:\n(?: {2}.*\n)+/m, "").replace("      budget: { per_request: 0.1, monthly: 20 }\n", ""));
    expect(guard.limitsAnything).toBe(false);
    const check = await guard.check(["smart", "mini"], () => 1_000_000);
    expect(check).toEqual({ ok: true, models: ["smart", "mini"], substituted: false, passedOver: [] });
    await guard.record("smart", 0.25);
    await guard.record("smart", 0.5);
    const limited = new BudgetGuard({ project: "team/shop", projectBudget: { daily: 0.7 } }, store, clock);
    expect(limited.limitsAnything).toBe(true);
    expect(refused(await limited.check(["smart"], estimate)).code).toBe("budget_exceeded");
    // A new day starts from nothing; the month goes on.
    await clock.advanceTo(MIDNIGHT);
    await guard.record("smart", 0.1);
    const spent = (await limited.status()).filter((s) => s.scope === "project").map((s) => [s.period, s.spent] as const);
    expect(spent.map(([period]) => period)).toEqual(["daily", "monthly"]);
    expect(spent[0]![1]).toBeCloseTo(0.1, 12);
    expect(spent[1]![1]).toBeCloseTo(0.85, 12);
  });

  it("passes over a candidate whose estimate is over a per-request maximum, and refuses when none is left", async () => {
    const { guard } = setup();
    const pricey = (model: string) => (model === "smart" ? 0.2 : 0.001);
    const check = await guard.check(["smart", "mini"], pricey);
    expect(check).toMatchObject({ ok: true, models: ["mini"], passedOver: [{ model: "smart", breaches: [{ scope: "model", period: "per_request", limit: 0.1, amount: 0.2 }] }] });
    const error = refused(await guard.check(["smart"], () => 0.7));
    expect(error.code).toBe("budget_exceeded");
    expect(error.message).toBe(
      "Budget exceeded: the estimated cost $0.7000 is over the project per-request maximum of $0.5000; the estimated cost $0.7000 is over the model smart per-request maximum of $0.1000.",
    );
    // Waiting would not help a request that is simply too expensive.
    expect(error.details).not.toHaveProperty("retryAfterMs");
  });

  it("routes to when_exceeded models once the project's daily budget is spent, until the day ends", async () => {
    const { guard, clock } = setup();
    await guard.record("smart", 3);
    await guard.record("mini", 2);
    const check = await guard.check(["smart", "mini"], estimate);
    expect(check).toMatchObject({ ok: true, models: ["local"], substituted: true });
    await clock.advanceTo(MIDNIGHT);
    expect(await guard.check(["smart", "mini"], estimate)).toMatchObject({ ok: true, models: ["smart", "mini"], substituted: false });
  });

  it("refuses with which budget, how much of what, and when it resets when there is no when_exceeded", async () => {
    const { guard, clock } = setup(PROJECT.replace("  when_exceeded: [local]\n", ""));
    await guard.record("mini", 5.25);
    const error = refused(await guard.check(["smart", "mini"], estimate));
    expect(error.code).toBe("budget_exceeded");
    expect(error.message).toBe("Budget exceeded: project daily budget spent ($5.25 of $5.00), resets at 2025-01-16T00:00:00.000Z.");
    expect(error.details).toMatchObject({ retryAfterMs: MIDNIGHT - clock.now(), resetsAt: "2025-01-16T00:00:00.000Z", models: ["smart", "mini"] });
  });

  it("passes over a model whose own monthly budget is spent, then substitutes when no candidate is left", async () => {
    const { guard } = setup();
    await guard.record("smart", 4); // project daily: 4 of 5, smart monthly: 4 of 20
    const store = (guard as unknown as { store: MemoryStateStore }).store;
    await store.addSpend(`budget:team/shop:model:smart:monthly:2025-01`, 16, NEXT_MONTH);
    expect(await guard.check(["smart", "mini"], estimate)).toMatchObject({
      ok: true,
      models: ["mini"],
      passedOver: [{ model: "smart", breaches: [{ scope: "model", model: "smart", period: "monthly", amount: 20, limit: 20, resetsAt: NEXT_MONTH }] }],
    });
    expect(await guard.check(["smart"], estimate)).toMatchObject({ ok: true, models: ["local"], substituted: true });
  });

  it("names every spent budget and retries after the candidate that frees up first", async () => {
    const { guard, clock } = setup(PROJECT.replace("  when_exceeded: [local]\n", "").replace("daily: 5", "daily: 500").replace("monthly: 50", "monthly: 30"));
    await guard.record("smart", 20);
    await guard.record("mini", 10);
    const error = refused(await guard.check(["smart", "mini"], estimate));
    expect(error.message).toBe(
      "Budget exceeded: project monthly budget spent ($30.00 of $30.00), resets at 2025-02-01T00:00:00.000Z; model smart monthly budget spent ($20.00 of $20.00), resets at 2025-02-01T00:00:00.000Z.",
    );
    expect(error.details?.retryAfterMs).toBe(NEXT_MONTH - clock.now());
  });

  it("reports spend per budget", async () => {
    const { guard } = setup();
    await guard.record("smart", 1.5);
    const status = await guard.status();
    expect(status).toContainEqual({ scope: "project", period: "daily", spent: 1.5, limit: 5, resetsAt: MIDNIGHT });
    expect(status).toContainEqual({ scope: "model", model: "smart", period: "monthly", spent: 1.5, limit: 20, resetsAt: NEXT_MONTH });
  });

  it("survives a restart: a fresh in-memory store is rebuilt from the ledger", async () => {
    const { project, clock } = setup(PROJECT.replace("  when_exceeded: [local]\n", ""));
    const first = await openProjectUsage(project, { store: new MemoryStateStore({ clock }), clock });
    const run = { requestedModel: "mini", servedBy: "mini", provider: "openai", attempts: [], usage: { inputTokens: 10_000_000, outputTokens: 5_000_000 } };
    const recorded = await first.record({ project, run, messages: [], answerChars: 0, startedAt: clock.now(), endedAt: clock.now() + 10 });
    expect(recorded.costUsd).toBeCloseTo(10 * 0.15 + 5 * 0.6, 10); // gpt-4o-mini from the built-in table: $4.50
    await first.record({ project, run: { ...run, usage: { inputTokens: 5_000_000, outputTokens: 0 } }, messages: [], answerChars: 0, startedAt: clock.now(), endedAt: clock.now() });
    first.close();

    const restarted = await openProjectUsage(project, { store: new MemoryStateStore({ clock }), clock });
    try {
      const error = refused(await restarted.budget.check(["mini"], estimate));
      expect(error.message).toBe("Budget exceeded: project daily budget spent ($5.25 of $5.00), resets at 2025-01-16T00:00:00.000Z.");
    } finally {
      restarted.close();
    }
  });

  it("opens a ledger without budgets at the first record, and says at once when it could not be written", async () => {
    const plain = PROJECT.replace(/^budget:\n(?: {2}.*\n)+/m, "").replace("      budget: { per_request: 0.1, monthly: 20 }\n", "");
    const { project, dir, clock } = setup(plain);
    const usage = await openProjectUsage(project, { store: new MemoryStateStore({ clock }), clock });
    expect(existsSync(join(dir, ".lf", "usage.db"))).toBe(false);
    const run = { requestedModel: "mini", servedBy: "mini", provider: "openai", attempts: [], usage: { inputTokens: 10, outputTokens: 5 } };
    await usage.record({ project, run, messages: [], answerChars: 0, startedAt: clock.now(), endedAt: clock.now() + 10 });
    expect(usage.ledger.records({ since: 0, until: Infinity })).toHaveLength(1);
    usage.close();

    // A file where the ledger's folder should be: the error comes with the open, not with each request.
    const blocked = setup(plain);
    writeFileSync(join(blocked.dir, ".lf"), "not a folder");
    await expect(openProjectUsage(blocked.project, { store: new MemoryStateStore({ clock }), clock })).rejects.toThrow(/EEXIST|ENOTDIR/);
  });
});
