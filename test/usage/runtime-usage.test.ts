import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Runtime, type ChatMessage } from "../../runtime/index.js";
import { createStateStore, MemoryStateStore, type ManagedStateStore } from "../../runtime/state/index.js";
import { BudgetGuard, UsageLedger, trackUsage, type UsageRecord } from "../../runtime/usage/index.js";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { ManualClock } from "../helpers/manual-clock.js";
import { RedisServer } from "../state/support/redis-server.js";
import { projectIn } from "./support/project.js";

let fake: FakeProvider;
let redis: RedisServer;
const closers: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  fake = await startFakeProvider();
  redis = await RedisServer.start();
});

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await fake?.close();
  await redis?.stop();
});

beforeEach(() => fake.reset());

const yaml = (extra = "", smartExtra = "") => `
version: v1
name: shop
namespace: team
${extra}
runtime:
  models:
    - name: smart
      provider: openai
      model: gpt-4o
      base_url: ${fake.url}/v1
      api_key: sk-test
      retries: { max_attempts: 1 }
      fallbacks: [local]
${smartExtra}
    - name: local
      provider: ollama
      model: llama3.1:8b
      base_url: ${fake.url}
      retries: { max_attempts: 1 }
`;

const QUESTION = "What is the capital of France? Answer briefly.";
const messages: ChatMessage[] = [{ role: "user", content: QUESTION }];

function open(text: string, store = new MemoryStateStore()) {
  const { project, dir } = projectIn(text);
  const runtime = new Runtime(project, { store });
  const ledger = UsageLedger.open(`${dir}/.lf/usage.db`);
  const budget = BudgetGuard.forProject(project, store);
  closers.push(() => runtime.close(), () => ledger.close());
  return { project, runtime, ledger, budget };
}

/** What the server and CLI do: run the request through trackUsage and read it to the end. */
async function ask(setup: ReturnType<typeof open>, model: string, sessionId?: string): Promise<{ text: string; record: UsageRecord; error?: unknown }> {
  const run = await setup.runtime.chat({ model, messages });
  let record: UsageRecord | undefined;
  let text = "";
  let error: unknown;
  try {
    for await (const part of trackUsage(setup, { project: setup.project, run, messages, now: Date.now, ...(sessionId ? { sessionId } : {}), onRecord: (r) => (record = r) })) {
      if (part.type === "text-delta") text += part.text;
    }
  } catch (thrown) {
    error = thrown;
  }
  return { text, record: record!, error };
}

describe("usage of real requests through the Runtime", () => {
  it("records tokens the provider reported while streaming, the price of the model, and timings", async () => {
    fake.script("gpt-4o", { text: "Paris is the capital.", usage: { inputTokens: 1200, outputTokens: 300 } });
    const setup = open(yaml());
    const { text, record } = await ask(setup, "smart", "s-1");
    expect(text).toBe("Paris is the capital.");
    expect(record).toMatchObject({
      project: "team/shop",
      requestedModel: "smart",
      servedModel: "smart",
      provider: "openai",
      inputTokens: 1200,
      outputTokens: 300,
      estimated: false,
      outcome: "ok",
      fallbackDepth: 0,
      sessionId: "s-1",
    });
    expect(record.costUsd).toBeCloseTo(1.2 * 0.0025 + 0.3 * 0.01, 12);
    expect(record.ttftMs).toBeGreaterThanOrEqual(0);
    expect(record.latencyMs).toBeGreaterThanOrEqual(record.ttftMs!);
    expect(setup.ledger.records({ since: 0, until: Infinity })).toEqual([record]);
    expect((await setup.budget.status()).find((s) => s.scope === "project" && s.period === "daily")?.spent).toBeCloseTo(record.costUsd!, 12);
  });

  it("records the fallback that answered, at no cost for a local model", async () => {
    fake.always("gpt-4o", { fault: "status", status: 503 });
    fake.script("llama3.1:8b", { text: "Paris.", usage: { inputTokens: 20, outputTokens: 2 } });
    const setup = open(yaml());
    const { record } = await ask(setup, "smart");
    expect(record).toMatchObject({ requestedModel: "smart", servedModel: "local", provider: "ollama", fallbackDepth: 1, costUsd: 0, outcome: "ok" });
  });

  it("records a request nothing could answer, with its error code", async () => {
    fake.always("gpt-4o", { fault: "status", status: 503 });
    fake.always("llama3.1:8b", { fault: "status", status: 503 });
    const setup = open(yaml());
    const { record, error } = await ask(setup, "smart");
    expect((error as { code?: string }).code).toBe("all_models_failed");
    expect(record).toMatchObject({ servedModel: undefined, outcome: "error", errorCode: "all_models_failed", fallbackDepth: 1, inputTokens: 0, costUsd: 0 });
  });

  it("estimates tokens from characters when the provider reports none, and says so", async () => {
    fake.script("gpt-4o", { text: "Paris.", fault: { fault: "reset", afterChunks: 1 } });
    const setup = open(yaml());
    const { record } = await ask(setup, "smart");
    expect(record).toMatchObject({ servedModel: "smart", outcome: "error", estimated: true, inputTokens: Math.ceil(QUESTION.length / 4) });
    expect(record.outputTokens).toBeGreaterThan(0);
  });

  it("sends requests to the when_exceeded model once the project budget is spent, else refuses", async () => {
    const guarded = open(yaml("budget: { daily: 0.01, when_exceeded: [local] }"));
    fake.always("gpt-4o", { text: "Paris.", usage: { inputTokens: 4000, outputTokens: 1000 } });
    fake.always("llama3.1:8b", "Paris, locally.");
    const estimate = () => 0.001;
    const first = await guarded.budget.check(["smart"], estimate);
    expect(first).toMatchObject({ ok: true, models: ["smart"] });
    expect((await ask(guarded, "smart")).record.costUsd).toBeCloseTo(0.02, 12);
    const second = await guarded.budget.check(["smart"], estimate);
    expect(second).toMatchObject({ ok: true, models: ["local"], substituted: true });
    if (!second.ok) throw second.error;
    expect((await ask(guarded, second.models[0]!)).text).toBe("Paris, locally.");

    const strict = open(yaml("budget: { daily: 0.01 }"));
    await ask(strict, "smart");
    const refused = await strict.budget.check(["smart"], estimate);
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error).toMatchObject({ code: "budget_exceeded", details: { retryAfterMs: expect.any(Number) } });
  });

  it("lets two runtimes sharing Redis make exactly rpm calls between them", async () => {
    fake.always("gpt-4o", "Paris.");
    const clock = new ManualClock(Date.UTC(2025, 0, 15, 12));
    const stores: ManagedStateStore[] = [0, 1].map(() => createStateStore({ redisUrl: redis.url, keyPrefix: "rt:", clock }));
    closers.push(...stores.map((s) => () => s.close()));
    const text = yaml("", "      limits: { rpm: 3 }").replace("      fallbacks: [local]\n", "");
    const runtimes = stores.map((store) => {
      const { project } = projectIn(text);
      const runtime = new Runtime(project, { store, clock });
      closers.push(() => runtime.close());
      return runtime;
    });
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        try {
          const run = await runtimes[i % 2]!.chat({ model: "smart", messages });
          for await (const part of run) void part;
          return "ok";
        } catch (error) {
          return (error as { code?: string }).code;
        }
      }),
    );
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(3);
    expect(outcomes.filter((o) => o === "rate_limited")).toHaveLength(5);
    expect(fake.requests.filter((r) => r.model === "gpt-4o")).toHaveLength(3);
  });

  it("shares spend between instances through Redis, so one instance's spend closes the budget for both", async () => {
    const clock = new ManualClock(Date.UTC(2025, 0, 15, 12));
    const stores = [0, 1].map(() => createStateStore({ redisUrl: redis.url, keyPrefix: "budget-test:", clock }));
    closers.push(...stores.map((s) => () => s.close()));
    const { project } = projectIn(yaml("budget: { daily: 1 }"));
    const [a, b] = stores.map((store) => BudgetGuard.forProject(project, store, clock));
    await a!.record("smart", 0.6);
    expect((await b!.check(["smart"], () => 0)).ok).toBe(true);
    await b!.record("smart", 0.6);
    const check = await a!.check(["smart"], () => 0);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.error.message).toBe("Budget exceeded: project daily budget spent ($1.20 of $1.00), resets at 2025-01-16T00:00:00.000Z.");
  });
});
