import { describe, expect, it } from "vitest";
import { LfError, seededRandom, type StreamPart } from "../../runtime/core/index.js";
import { executeWithFallback } from "../../runtime/routing/execute-with-fallback.js";
import { RateLimiter, type Admission, type Refusal } from "../../runtime/routing/rate-limiter.js";
import type { ModelLimits } from "../../runtime/routing/routable-model.js";
import { MemoryStateStore } from "../../runtime/state/index.js";
import { ManualClock } from "../helpers/manual-clock.js";
import { answer, model, scriptedAdapter } from "./scripted-adapter.js";

function setup(limits: ModelLimits) {
  // Start on a minute boundary so fixed windows line up with the test's arithmetic.
  const clock = new ManualClock(1_700_000_040_000);
  const store = new MemoryStateStore({ clock });
  const limiter = new RateLimiter(store, clock);
  const m = model("m", scriptedAdapter("m", clock, [answer("x")]), { limits });
  return { clock, store, limiter, m };
}

const admitted = (a: Admission | Refusal): Admission => {
  if (!a.ok) throw new Error(`refused: ${a.detail}`);
  return a;
};

describe("RateLimiter", () => {
  it("counts rpm in a fixed minute and says when it frees up", async () => {
    const { clock, limiter, m } = setup({ rpm: 2 });
    admitted(await limiter.tryAdmit(m, 1));
    await clock.advance(10_000);
    admitted(await limiter.tryAdmit(m, 1));
    const refused = await limiter.tryAdmit(m, 1);
    expect(refused).toMatchObject({ ok: false, retryAfterMs: 50_000 });
    expect(await limiter.peek(m, 1)).toMatchObject({ retryAfterMs: 50_000 });
    await clock.advance(50_000);
    admitted(await limiter.tryAdmit(m, 1));
  });

  it("counts tpm from the estimate and corrects it with real usage", async () => {
    const { store, limiter, m } = setup({ tpm: 1000 });
    const first = admitted(await limiter.tryAdmit(m, 600));
    expect((await limiter.tryAdmit(m, 600)).ok).toBe(false);
    await first.release({ inputTokens: 100, outputTokens: 100 });
    expect((await store.peekWindow("tpm:m", 60_000)).total).toBe(200);
    admitted(await limiter.tryAdmit(m, 600));
  });

  it("lets a prompt larger than tpm run alone in an empty minute", async () => {
    const { limiter, m } = setup({ tpm: 100 });
    admitted(await limiter.tryAdmit(m, 5000));
    expect((await limiter.tryAdmit(m, 1)).ok).toBe(false);
  });

  it("bounds requests in flight with max_concurrent", async () => {
    const { limiter, m } = setup({ max_concurrent: 2 });
    const a = admitted(await limiter.tryAdmit(m, 1));
    admitted(await limiter.tryAdmit(m, 1));
    expect((await limiter.tryAdmit(m, 1)).ok).toBe(false);
    await a.release();
    await a.release(); // twice is harmless
    admitted(await limiter.tryAdmit(m, 1));
    expect((await limiter.tryAdmit(m, 1)).ok).toBe(false);
  });

  it("spaces request starts by min_interval", async () => {
    const { clock, limiter, m } = setup({ min_interval_ms: 300 });
    admitted(await limiter.tryAdmit(m, 1));
    await clock.advance(100);
    expect(await limiter.tryAdmit(m, 1)).toMatchObject({ ok: false, retryAfterMs: 200 });
    await clock.advance(200);
    admitted(await limiter.tryAdmit(m, 1));
  });

  it("takes nothing when one limit refuses, and cancel gives everything back", async () => {
    const { store, limiter, m } = setup({ rpm: 5, tpm: 100, max_concurrent: 5 });
    admitted(await limiter.tryAdmit(m, 90));
    expect((await limiter.tryAdmit(m, 20)).ok).toBe(false);
    expect((await store.peekWindow("rpm:m", 60_000)).total).toBe(1);
    expect(await store.countSlots("inflight:m")).toBe(1);
    const second = admitted(await limiter.tryAdmit(m, 5));
    await second.cancel();
    expect((await store.peekWindow("rpm:m", 60_000)).total).toBe(1);
    expect((await store.peekWindow("tpm:m", 60_000)).total).toBe(90);
    expect(await store.countSlots("inflight:m")).toBe(1);
  });
});

describe("limits in the executor", () => {
  const ask = { messages: [{ role: "user" as const, content: "hi" }], parameters: {} };
  const drain = async (s: AsyncIterable<StreamPart>) => {
    const parts: StreamPart[] = [];
    for await (const part of s) parts.push(part);
    return parts;
  };

  function fixture(limits: ModelLimits) {
    const clock = new ManualClock(1_700_000_040_000);
    const deps = { store: new MemoryStateStore({ clock }), clock, random: seededRandom(3) };
    const limited = model("limited", scriptedAdapter("limited", clock, [answer("limited")]), { limits });
    const other = model("other", scriptedAdapter("other", clock, [answer("other")]));
    return { clock, deps, limited, other };
  }

  it("skips a model over its limit when another can answer", async () => {
    const { clock, deps, limited, other } = fixture({ rpm: 1 });
    await clock.run(drain(executeWithFallback({ candidates: [limited, other], options: ask }, deps)));
    const result = executeWithFallback({ candidates: [limited, other], options: ask }, deps);
    await clock.run(drain(result));
    expect(result.servedBy).toBe("other");
    expect(result.attempts[0]).toMatchObject({ model: "limited", outcome: "skipped", skipped: "rate_limited" });
  });

  it("waits up to max_wait for the only candidate left", async () => {
    const { clock, deps, limited } = fixture({ min_interval_ms: 2000, max_wait_ms: 5000 });
    await clock.run(drain(executeWithFallback({ candidates: [limited], options: ask }, deps)));
    const started = clock.now();
    const result = executeWithFallback({ candidates: [limited], options: ask }, deps);
    await clock.run(drain(result));
    expect(result.servedBy).toBe("limited");
    expect(clock.now() - started).toBe(2000);
  });

  it("waits for a concurrency slot to free up", async () => {
    const { clock, deps, limited } = fixture({ max_concurrent: 1, max_wait_ms: 5000 });
    const slow = { ...limited, adapter: scriptedAdapter("slow", clock, [[{ delay: 1000 }, ...answer("slow")]]) };
    const first = drain(executeWithFallback({ candidates: [slow], options: ask }, deps));
    const second = executeWithFallback({ candidates: [slow], options: ask }, deps);
    const both = Promise.all([first, drain(second)]);
    await clock.run(both);
    expect(second.servedBy).toBe("limited");
    expect(second.attempts.map((a) => a.outcome)).toEqual(["skipped", "success"]);
  });

  it("answers rate_limited with the earliest retry-after when everything is over its limits", async () => {
    const { clock, deps, limited, other } = fixture({ rpm: 1 });
    const otherLimited = { ...other, limits: { min_interval_ms: 30_000 } };
    await clock.run(drain(executeWithFallback({ candidates: [limited], options: ask }, deps)));
    await clock.run(drain(executeWithFallback({ candidates: [otherLimited], options: ask }, deps)));
    await clock.advance(1000);
    const error = (await clock.run(drain(executeWithFallback({ candidates: [limited, otherLimited], options: ask }, deps))).catch((e) => e)) as LfError;
    expect(error).toBeInstanceOf(LfError);
    expect(error.code).toBe("rate_limited");
    expect(error.details?.["retryAfterMs"]).toBe(29_000);
  });
});
