import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seededRandom, type StreamPart } from "../../runtime/core/index.js";
import { CircuitBreaker, RateLimiter, executeWithFallback } from "../../runtime/routing/index.js";
import { createStateStore, type ManagedStateStore, type StateLogger } from "../../runtime/state/index.js";
import { ManualClock } from "../helpers/manual-clock.js";
import { answer, model, scriptedAdapter } from "../routing/scripted-adapter.js";
import { RedisServer } from "./support/redis-server.js";

let server: RedisServer;
const opened: ManagedStateStore[] = [];
let prefixes = 0;

beforeAll(async () => {
  server = await RedisServer.start();
});

afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
  await server?.stop();
});

interface Logged {
  warn: string[];
  info: string[];
}

/** Two "instances": each its own Redis connection and its own limiter, over one key prefix. */
function twoInstances(clock = new ManualClock(1_700_000_040_000)) {
  const keyPrefix = `shared${++prefixes}:`;
  const make = () => {
    const logged: Logged = { warn: [], info: [] };
    const logger: StateLogger = { warn: (m) => logged.warn.push(m), info: (m) => logged.info.push(m) };
    const store = createStateStore({ redisUrl: server.url, keyPrefix, clock, logger, commandTimeoutMs: 300, connectTimeoutMs: 1000 });
    opened.push(store);
    return { store, logged, limiter: new RateLimiter(store, clock), breaker: new CircuitBreaker(store) };
  };
  return { clock, a: make(), b: make() };
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function sharing(store: ManagedStateStore): boolean {
  return (store as unknown as { sharing: boolean }).sharing;
}

async function drain(stream: AsyncIterable<StreamPart>): Promise<string> {
  let text = "";
  for await (const part of stream) if (part.type === "text-delta") text += part.text;
  return text;
}

describe("state shared through Redis by two instances", () => {
  it("lets exactly rpm requests through per window between them", async () => {
    const { clock, a, b } = twoInstances();
    const m = model("gpt", scriptedAdapter("gpt", clock, [answer("x")]), { limits: { rpm: 7 } });
    const tries = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).limiter.tryAdmit(m, 10));
    const results = await Promise.all(tries);
    expect(results.filter((r) => r.ok)).toHaveLength(7);
    expect(await a.limiter.peek(m, 10)).toMatchObject({ detail: "rpm 7 reached" });
    await clock.advance(60_000);
    const next = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? b : a).limiter.tryAdmit(m, 10)));
    expect(next.filter((r) => r.ok)).toHaveLength(7);
  });

  it("routes real requests of both instances under one shared limit", async () => {
    const { clock, a, b } = twoInstances();
    const adapter = scriptedAdapter("gpt", clock, [answer("hello")]);
    const m = model("gpt", adapter, { limits: { rpm: 3 } });
    const ask = (instance: typeof a) =>
      drain(
        executeWithFallback(
          { candidates: [m], options: { messages: [{ role: "user", content: "hi" }], parameters: {} } },
          { store: instance.store, clock, random: seededRandom(1), limiter: instance.limiter, breaker: instance.breaker },
        ),
      ).then(
        () => "ok",
        (error: { code?: string }) => error.code,
      );
    const outcomes = await Promise.all([a, b, a, b, a, b].map(ask));
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(3);
    expect(outcomes.filter((o) => o === "rate_limited")).toHaveLength(3);
    expect(adapter.calls).toHaveLength(3);
  });

  it("shows a circuit opened by one instance as open to the other", async () => {
    const { clock, a, b } = twoInstances();
    const m = model("flaky", scriptedAdapter("flaky", clock, [answer("x")]), {
      circuitBreaker: { failure_threshold: 2, window_ms: 60_000, min_requests: 10, cooldown_ms: 30_000 },
    });
    await a.breaker.record(m, false, false);
    await b.breaker.record(m, false, false);
    expect(await a.breaker.peek(m)).toMatchObject({ state: "open", openUntil: clock.now() + 30_000 });
    expect(await b.breaker.acquire(m)).toMatchObject({ allowed: false, state: "open", retryAfterMs: 30_000 });
    await clock.advance(30_000);
    expect(await b.breaker.acquire(m)).toMatchObject({ allowed: true, probe: true });
    expect(await a.breaker.acquire(m)).toMatchObject({ allowed: false, state: "half_open" });
  });

  it("keeps both instances serving on local state while Redis is down, logged once, and shares again when it is back", async () => {
    const { clock, a, b } = twoInstances();
    const m = model("gpt", scriptedAdapter("gpt", clock, [answer("x")]), { limits: { rpm: 4 } });
    expect((await a.limiter.tryAdmit(m, 1)).ok).toBe(true);
    await waitFor(() => sharing(a.store) && sharing(b.store));

    await server.stop();
    const started = Date.now();
    const during = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).limiter.tryAdmit(m, 1)));
    // Each instance now counts alone: 4 each, and no call waited on the dead server.
    expect(during.filter((r) => r.ok)).toHaveLength(8);
    expect(Date.now() - started).toBeLessThan(2000);
    for (let i = 0; i < 5; i++) await a.limiter.peek(m, 1);
    expect(a.logged.warn).toHaveLength(1);
    expect(b.logged.warn).toHaveLength(1);
    expect(a.logged.warn[0]).toMatch(/Redis unavailable/);

    await server.restart();
    await waitFor(() => a.logged.info.length === 1 && b.logged.info.length === 1);
    expect(a.logged.info[0]).toMatch(/sharing state again/);
    await clock.advance(60_000);
    const after = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).limiter.tryAdmit(m, 1)));
    expect(after.filter((r) => r.ok)).toHaveLength(4);
    expect(a.logged.warn).toHaveLength(1);
  });

  it("answers locally when Redis hangs instead of waiting on it", async () => {
    const { clock, a } = twoInstances();
    const m = model("gpt", scriptedAdapter("gpt", clock, [answer("x")]), { limits: { rpm: 2 } });
    expect((await a.limiter.tryAdmit(m, 1)).ok).toBe(true);
    server.pause();
    try {
      const started = Date.now();
      const admission = await a.limiter.tryAdmit(m, 1);
      expect(admission.ok).toBe(true);
      expect(Date.now() - started).toBeLessThan(1500);
      expect(a.logged.warn).toHaveLength(1);
    } finally {
      server.resume();
    }
    await waitFor(() => a.logged.info.length === 1);
  });

  it("starts on local state when Redis is unreachable from the start, and says so once", async () => {
    const logged: Logged = { warn: [], info: [] };
    const store = createStateStore({
      redisUrl: "redis://127.0.0.1:1",
      clock: new ManualClock(),
      logger: { warn: (m) => logged.warn.push(m), info: (m) => logged.info.push(m) },
      connectTimeoutMs: 500,
    });
    opened.push(store);
    const started = Date.now();
    expect(await store.addSpend("day", 2, Date.now() + 60_000)).toBe(2);
    expect((await store.acquireSlot("s", Infinity, 1000)).acquired).toBe(true);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(logged.warn).toHaveLength(1);
  });

  it("adds spend counted locally during an outage to the shared total once Redis is back", async () => {
    const { clock, a, b } = twoInstances();
    const end = clock.now() + 3600_000;
    await a.store.addSpend("spend:day", 1, end);
    await waitFor(() => sharing(a.store) && sharing(b.store));
    await server.stop();
    await a.store.addSpend("spend:day", 0.5, end);
    await server.restart();
    await waitFor(() => a.logged.info.length === 1 && b.logged.info.length === 1);
    // The restarted Redis kept nothing (no persistence): what it holds is what came back from memory.
    expect(await b.store.getSpend("spend:day")).toBe(0.5);
  });
});
