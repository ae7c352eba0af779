import { describe, expect, it } from "vitest";
import { LfError, seededRandom, type StreamPart } from "../../runtime/core/index.js";
import { CircuitBreaker } from "../../runtime/routing/circuit-breaker.js";
import { executeWithFallback } from "../../runtime/routing/execute-with-fallback.js";
import { RateLimiter } from "../../runtime/routing/rate-limiter.js";
import type { RoutableModel } from "../../runtime/routing/routable-model.js";
import type { RoutingEvent } from "../../runtime/routing/route-attempt.js";
import { MemoryStateStore } from "../../runtime/state/index.js";
import { ManualClock } from "../helpers/manual-clock.js";
import { connectionReset, httpError, model, scriptedAdapter, type Script } from "./scripted-adapter.js";

const REQUESTS = 400;
const STRUCTURED_CODES = new Set(["all_models_failed", "rate_limited", "provider_timeout", "provider_unreachable", "provider_error"]);

function reply(name: string, pieces: number, gapMs: number): Script {
  const script: Script = [];
  for (let i = 0; i < pieces; i++) script.push({ delay: gapMs }, { text: `${name}:${i};` });
  script.push({ part: { type: "usage", usage: { inputTokens: 10, outputTokens: pieces } } }, { part: { type: "finish", finishReason: "stop" } });
  return script;
}

/** Each call draws its fate: fine, 500, 429, reset, hang, slow start, or a cut in the middle. */
function chaotic(name: string, random: () => number): Script {
  const roll = random();
  if (roll < 0.3) return reply(name, 3, 20);
  if (roll < 0.42) return [{ delay: 30 }, { throw: httpError(500) }];
  if (roll < 0.52) return [{ throw: httpError(429, { "retry-after": "1" }) }];
  if (roll < 0.62) return [{ delay: 10 }, { throw: connectionReset() }];
  if (roll < 0.72) return [{ hang: true }];
  if (roll < 0.8) return [{ delay: 5000 }, ...reply(name, 2, 10)];
  if (roll < 0.9) return [{ text: `${name}:0;` }, { delay: 20 }, { throw: connectionReset() }];
  return [{ text: `${name}:0;` }, { hang: true }];
}

const SCENARIOS = {
  "with circuit breakers": {
    totalTimeoutMs: 15_000,
    circuitBreaker: { failure_threshold: 5, failure_rate: 0.6, window_ms: 10_000, min_requests: 20, cooldown_ms: 1500 },
  },
  // Without breakers every request walks through the failures, and a tight deadline cuts many short.
  "with breakers that never open and a tight deadline": {
    totalTimeoutMs: 2500,
    circuitBreaker: { failure_threshold: 1_000_000, window_ms: 10_000, min_requests: 1_000_000, cooldown_ms: 1500 },
  },
};

describe("chaos", () => {
  it.each(Object.entries(SCENARIOS))("answers every request once, or ends it with a structured error, in time (%s)", async (label, scenario) => {
    const { totalTimeoutMs, circuitBreaker } = scenario;
    const clock = new ManualClock();
    const store = new MemoryStateStore({ clock });
    const events: RoutingEvent[] = [];
    const onEvent = (e: RoutingEvent) => events.push(e);
    const deps = {
      store,
      clock,
      random: seededRandom(2024),
      breaker: new CircuitBreaker(store, onEvent),
      limiter: new RateLimiter(store, clock),
      onEvent,
    };
    const fate = seededRandom(99);
    const reliability = {
      retries: { max_attempts: 2, initial_backoff_ms: 50, max_backoff_ms: 400, max_retry_after_ms: 2000 },
      timeouts: { connect_ms: 1000, first_token_ms: 2000, idle_ms: 800, total_ms: 8000 },
      circuitBreaker,
    };
    const flaky = ["flaky-a", "flaky-b", "flaky-c"].map((name) =>
      model(name, scriptedAdapter(name, clock, () => chaotic(name, () => fate.next())), {
        ...reliability,
        ...(name === "flaky-b" ? { limits: { max_concurrent: 15, rpm: 300, max_wait_ms: 1000 } } : {}),
      }),
    );
    const healthy = model("healthy", scriptedAdapter("healthy", clock, () => reply("healthy", 4, 15)), reliability);
    const candidates: RoutableModel[] = [...flaky, healthy];

    const startJitter = seededRandom(7);
    const outcomes = await clock.run(
      Promise.all(
        Array.from({ length: REQUESTS }, async (_, i) => {
          await clock.sleep(Math.floor(startJitter.next() * 3000));
          const order = [...candidates.slice(0, 3).slice(i % 3), ...candidates.slice(0, 3).slice(0, i % 3), healthy];
          const started = clock.now();
          const result = executeWithFallback(
            { candidates: order, options: { messages: [{ role: "user", content: `request ${i}` }], parameters: {} }, totalTimeoutMs },
            deps,
          );
          const parts: StreamPart[] = [];
          let thrown: unknown;
          try {
            for await (const part of result) parts.push(part);
          } catch (error) {
            thrown = error;
          }
          return { parts, thrown, result, elapsed: clock.now() - started };
        }),
      ),
    );

    let succeeded = 0;
    let cutWithError = 0;
    let failedCleanly = 0;
    for (const { parts, thrown, result, elapsed } of outcomes) {
      expect(elapsed).toBeLessThanOrEqual(totalTimeoutMs);
      const errors = parts.filter((p) => p.type === "error");
      const finishes = parts.filter((p) => p.type === "finish");
      if (thrown !== undefined) {
        expect(thrown).toBeInstanceOf(LfError);
        expect(STRUCTURED_CODES.has((thrown as LfError).code)).toBe(true);
        expect(parts).toEqual([]);
        failedCleanly++;
        continue;
      }
      // One model's answer only: every text part comes from the model that served.
      for (const part of parts) if (part.type === "text-delta") expect(part.text.startsWith(`${result.servedBy}:`)).toBe(true);
      expect(errors.length + finishes.length).toBe(1);
      const last = parts[parts.length - 1]!;
      expect(last.type === "finish" || last.type === "error").toBe(true);
      if (last.type === "error") {
        expect(STRUCTURED_CODES.has(last.error.code)).toBe(true);
        cutWithError++;
      } else {
        succeeded++;
      }
      expect(result.attempts.filter((a) => a.outcome === "success" || a.afterOutput === true)).toHaveLength(1);
    }

    expect(succeeded + cutWithError + failedCleanly).toBe(REQUESTS);
    expect(succeeded).toBeGreaterThan(REQUESTS / 2);
    expect(cutWithError).toBeGreaterThan(0);
    if (totalTimeoutMs < 5000) expect(failedCleanly).toBeGreaterThan(0);
    expect(events.some((e) => e.type === "breaker" && e.to === "open")).toBe(label === "with circuit breakers");
    // Nothing leaks: no slot held, no timer left running, every hung call aborted.
    for (const m of candidates) expect(await store.countSlots(`inflight:${m.name}`)).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });
});
