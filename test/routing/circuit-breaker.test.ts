import { describe, expect, it } from "vitest";
import { seededRandom, type StreamPart } from "../../runtime/core/index.js";
import { CircuitBreaker } from "../../runtime/routing/circuit-breaker.js";
import { executeWithFallback } from "../../runtime/routing/execute-with-fallback.js";
import type { RoutingEvent } from "../../runtime/routing/route-attempt.js";
import { MemoryStateStore } from "../../runtime/state/index.js";
import { ManualClock } from "../helpers/manual-clock.js";
import { answer, httpError, model, scriptedAdapter } from "./scripted-adapter.js";

const policy = { failure_threshold: 3, window_ms: 10_000, min_requests: 4, cooldown_ms: 5000 };

function setup() {
  const clock = new ManualClock();
  const store = new MemoryStateStore({ clock });
  const events: RoutingEvent[] = [];
  const breaker = new CircuitBreaker(store, (e) => events.push(e));
  const m = model("m", scriptedAdapter("m", clock, [answer("x")]), { circuitBreaker: policy });
  return { clock, store, events, breaker, m };
}

const transitions = (events: RoutingEvent[]) => events.flatMap((e) => (e.type === "breaker" ? [`${e.from}->${e.to}`] : []));

describe("CircuitBreaker", () => {
  it("opens after failure_threshold consecutive failures and stays open for the cooldown", async () => {
    const { clock, breaker, m, events } = setup();
    await breaker.record(m, false, false);
    await breaker.record(m, true, false);
    await breaker.record(m, false, false);
    await breaker.record(m, false, false);
    expect((await breaker.peek(m)).state).toBe("closed");
    await breaker.record(m, false, false);
    expect(await breaker.peek(m)).toMatchObject({ state: "open", openUntil: clock.now() + 5000 });
    expect(await breaker.acquire(m)).toMatchObject({ allowed: false, retryAfterMs: 5000 });
    await clock.advance(4999);
    expect((await breaker.acquire(m)).allowed).toBe(false);
    expect(transitions(events)).toEqual(["closed->open"]);
  });

  it("opens on the failure rate over the window once min_requests is reached", async () => {
    const { breaker, m } = setup();
    const rated = { ...m, circuitBreaker: { ...policy, failure_threshold: 100, failure_rate: 0.5 } };
    for (const ok of [false, true, false]) await breaker.record(rated, ok, false);
    expect((await breaker.peek(rated)).state).toBe("closed"); // 67% but only 3 requests
    await breaker.record(rated, true, false);
    expect((await breaker.peek(rated)).state).toBe("closed"); // 50% is not above 50%
    await breaker.record(rated, false, false);
    expect((await breaker.peek(rated)).state).toBe("open"); // 60% over 5
  });

  it("forgets failures that left the window", async () => {
    const { clock, breaker, m } = setup();
    const rated = { ...m, circuitBreaker: { ...policy, failure_threshold: 100, failure_rate: 0.5 } };
    for (let i = 0; i < 3; i++) await breaker.record(rated, false, false);
    await clock.advance(11_000);
    await breaker.record(rated, true, false);
    await breaker.record(rated, false, false);
    expect(await breaker.peek(rated)).toMatchObject({ state: "closed", windowRequests: 2 });
  });

  it("lets exactly one probe through when half-open; success closes", async () => {
    const { clock, breaker, m, events } = setup();
    for (let i = 0; i < 3; i++) await breaker.record(m, false, false);
    await clock.advance(5000);
    expect((await breaker.peek(m)).state).toBe("half_open");
    const probe = await breaker.acquire(m);
    expect(probe).toMatchObject({ allowed: true, probe: true });
    expect(await breaker.acquire(m)).toMatchObject({ allowed: false, state: "half_open" });
    await breaker.record(m, true, false); // a late answer from before the circuit opened decides nothing
    expect((await breaker.peek(m)).state).toBe("half_open");
    await breaker.record(m, true, true);
    expect((await breaker.peek(m)).state).toBe("closed");
    expect((await breaker.acquire(m)).allowed).toBe(true);
    expect(transitions(events)).toEqual(["closed->open", "open->half_open", "half_open->closed"]);
  });

  it("re-opens when the probe fails, and frees the probe when it ends without a verdict", async () => {
    const { clock, breaker, m, events } = setup();
    for (let i = 0; i < 3; i++) await breaker.record(m, false, false);
    await clock.advance(5000);
    await breaker.acquire(m);
    await breaker.release(m, true);
    expect((await breaker.acquire(m)).probe).toBe(true);
    await breaker.record(m, false, true);
    expect(await breaker.peek(m)).toMatchObject({ state: "open", openUntil: clock.now() + 5000 });
    expect(transitions(events)).toEqual(["closed->open", "open->half_open", "half_open->open"]);
  });

  it("is driven by the executor: health failures count, a bad request does not", async () => {
    const clock = new ManualClock();
    const store = new MemoryStateStore({ clock });
    const events: RoutingEvent[] = [];
    const deps = { store, clock, random: seededRandom(1), onEvent: (e: RoutingEvent) => events.push(e) };
    const ask = { messages: [{ role: "user" as const, content: "hi" }], parameters: {} };
    const drain = async (s: AsyncIterable<StreamPart>) => {
      for await (const _ of s) void _;
    };
    const scripts = [[{ throw: httpError(400) }], [{ throw: httpError(400) }], [{ throw: httpError(400) }]];
    const bad = model("bad", scriptedAdapter("bad", clock, scripts), { circuitBreaker: policy });
    for (let i = 0; i < 3; i++) await clock.run(drain(executeWithFallback({ candidates: [bad], options: ask }, deps)).catch(() => undefined));
    expect((await new CircuitBreaker(store).peek(bad)).state).toBe("closed");

    const sick = scriptedAdapter("sick", clock, (call) => (call < 3 ? [{ throw: httpError(502) }] : answer("well again")));
    const sickModel = model("sick", sick, { circuitBreaker: policy });
    const backup = model("backup", scriptedAdapter("backup", clock, [answer("backup")]));
    for (let i = 0; i < 4; i++) await clock.run(drain(executeWithFallback({ candidates: [sickModel, backup], options: ask }, deps)));
    expect(sick.calls).toHaveLength(3); // the fourth request skipped the open circuit
    await clock.advance(5000);
    const result = executeWithFallback({ candidates: [sickModel, backup], options: ask }, deps);
    await clock.run(drain(result));
    expect(result.servedBy).toBe("sick");
    expect(transitions(events)).toEqual(["closed->open", "open->half_open", "half_open->closed"]);
  });
});
