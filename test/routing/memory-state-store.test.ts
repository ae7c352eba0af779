import { describe, expect, it } from "vitest";
import { MemoryStateStore } from "../../runtime/state/index.js";
import { ManualClock } from "../helpers/manual-clock.js";

describe("MemoryStateStore", () => {
  it("drops a late correction once its window has passed", async () => {
    const clock = new ManualClock(60_000 * 1000);
    const store = new MemoryStateStore({ clock });
    const first = await store.incrWindow("k", 50, 60_000);
    await clock.advance(60_000);
    expect((await store.incrWindow("k", -50, 60_000, { windowStart: first.windowStart })).allowed).toBe(false);
    expect((await store.peekWindow("k", 60_000)).total).toBe(0);
  });

  it("lets a slot lease expire so a lost holder cannot keep it", async () => {
    const clock = new ManualClock();
    const store = new MemoryStateStore({ clock });
    expect((await store.acquireSlot("s", 1, 1000)).acquired).toBe(true);
    expect((await store.acquireSlot("s", 1, 1000)).acquired).toBe(false);
    await clock.advance(1000);
    expect((await store.acquireSlot("s", 1, 1000)).acquired).toBe(true);
  });

  it("lets a lost half-open probe expire", async () => {
    const clock = new ManualClock();
    const store = new MemoryStateStore({ clock });
    const policy = { failureThreshold: 1, windowMs: 1000, minRequests: 1, cooldownMs: 100, probeTtlMs: 5000 };
    await store.recordResult("b", { ok: false, probe: false }, policy);
    await clock.advance(100);
    expect((await store.acquireBreaker("b", policy)).probe).toBe(true);
    expect((await store.acquireBreaker("b", policy)).allowed).toBe(false);
    await clock.advance(5000);
    expect((await store.acquireBreaker("b", policy)).probe).toBe(true);
  });

  it("keeps an exponentially weighted latency average", async () => {
    const store = new MemoryStateStore({ clock: new ManualClock() });
    await store.recordLatency("l", { ttftMs: 100 }, 0.5);
    await store.recordLatency("l", { ttftMs: 200, msPerToken: 10 }, 0.5);
    expect(await store.getLatency("l")).toMatchObject({ ttftMs: 150, msPerToken: 10, samples: 2 });
  });

  it("adds spend within a period and starts again after it", async () => {
    const clock = new ManualClock();
    const store = new MemoryStateStore({ clock });
    const end = clock.now() + 1000;
    await store.addSpend("day", 1.5, end);
    expect(await store.addSpend("day", 2, end)).toBe(3.5);
    await clock.advance(1000);
    expect(await store.getSpend("day")).toBe(0);
    expect(await store.addSpend("day", 1, end + 1000)).toBe(1);
  });
});
