import { describe, expect, it } from "vitest";
import type { BreakerPolicy, StateStore } from "../../../runtime/state/index.js";
import { ManualClock } from "../../helpers/manual-clock.js";

/** Makes a fresh, empty store on the given clock (a Redis store gets a key prefix of its own). */
export type StoreFactory = (clock: ManualClock) => Promise<StateStore>;

const START = 1_700_000_000_000;
const policy: BreakerPolicy = { failureThreshold: 3, windowMs: 10_000, minRequests: 4, cooldownMs: 1000, probeTtlMs: 5000 };

/** The behaviour every StateStore must share, exactly: the same calls give the same answers. */
export function describeStateStoreContract(name: string, make: StoreFactory): void {
  const setup = async (start = START) => {
    const clock = new ManualClock(start);
    return { clock, store: await make(clock) };
  };

  describe(`${name}: StateStore contract`, () => {
    describe("fixed windows", () => {
      it("adds within the window and reports when it resets", async () => {
        const { store } = await setup(60_000 * 1000 + 1234);
        expect(await store.incrWindow("w", 2, 60_000)).toEqual({ allowed: true, total: 2, windowStart: 60_000_000, resetAt: 60_060_000 });
        expect(await store.incrWindow("w", 3.5, 60_000)).toEqual({ allowed: true, total: 5.5, windowStart: 60_000_000, resetAt: 60_060_000 });
        expect(await store.peekWindow("w", 60_000)).toEqual({ allowed: true, total: 5.5, windowStart: 60_000_000, resetAt: 60_060_000 });
      });

      it("refuses a positive amount over the limit and adds nothing", async () => {
        const { store } = await setup();
        for (let i = 0; i < 3; i++) expect((await store.incrWindow("rpm", 1, 60_000, { limit: 3 })).allowed).toBe(true);
        const refused = await store.incrWindow("rpm", 1, 60_000, { limit: 3 });
        expect(refused).toMatchObject({ allowed: false, total: 3 });
        // A correction downward is never refused, and the total never goes below zero.
        expect(await store.incrWindow("rpm", -5, 60_000, { limit: 3 })).toMatchObject({ allowed: true, total: 0 });
      });

      it("starts a new window from zero and refuses a correction meant for the old one", async () => {
        const { clock, store } = await setup(60_000 * 1000);
        const first = await store.incrWindow("k", 50, 60_000);
        await clock.advance(60_000);
        expect(await store.incrWindow("k", -50, 60_000, { windowStart: first.windowStart })).toMatchObject({ allowed: false, total: 0 });
        expect(await store.peekWindow("k", 60_000)).toMatchObject({ total: 0, windowStart: first.windowStart + 60_000 });
        expect(await store.incrWindow("k", 1, 60_000)).toMatchObject({ total: 1 });
      });

      it("keeps windows of different lengths apart", async () => {
        const { store } = await setup();
        await store.incrWindow("k", 1, 1000);
        await store.incrWindow("k", 5, 60_000);
        expect((await store.peekWindow("k", 1000)).total).toBe(1);
        expect((await store.peekWindow("k", 60_000)).total).toBe(5);
      });
    });

    describe("slots", () => {
      it("grants up to max and frees a released slot", async () => {
        const { store } = await setup();
        const a = await store.acquireSlot("s", 2, 10_000);
        const b = await store.acquireSlot("s", 2, 10_000);
        expect([a.acquired, a.inUse, b.acquired, b.inUse]).toEqual([true, 1, true, 2]);
        expect(await store.acquireSlot("s", 2, 10_000)).toEqual({ acquired: false, inUse: 2 });
        await store.releaseSlot("s", a.leaseId!);
        expect(await store.countSlots("s")).toBe(1);
        expect((await store.acquireSlot("s", 2, 10_000)).acquired).toBe(true);
      });

      it("takes Infinity as no maximum", async () => {
        const { store } = await setup();
        for (let i = 1; i <= 5; i++) expect(await store.acquireSlot("free", Infinity, 1000)).toMatchObject({ acquired: true, inUse: i });
        expect(await store.countSlots("free")).toBe(5);
      });

      it("lets a lease expire so a lost holder cannot keep it", async () => {
        const { clock, store } = await setup();
        expect((await store.acquireSlot("s", 1, 1000)).acquired).toBe(true);
        expect((await store.acquireSlot("s", 1, 1000)).acquired).toBe(false);
        await clock.advance(999);
        expect(await store.countSlots("s")).toBe(1);
        await clock.advance(1);
        expect(await store.countSlots("s")).toBe(0);
        expect((await store.acquireSlot("s", 1, 1000)).acquired).toBe(true);
      });

      it("gives every lease its own id and ignores an unknown one", async () => {
        const { store } = await setup();
        const ids = new Set<string>();
        for (let i = 0; i < 4; i++) ids.add((await store.acquireSlot("s", Infinity, 1000)).leaseId!);
        expect(ids.size).toBe(4);
        await store.releaseSlot("s", "no-such-lease");
        expect(await store.countSlots("s")).toBe(4);
      });
    });

    describe("intervals", () => {
      it("lets one start through per interval", async () => {
        const { clock, store } = await setup();
        expect(await store.acquireInterval("i", 500)).toEqual({ acquired: true, retryAfterMs: 0 });
        await clock.advance(200);
        expect(await store.acquireInterval("i", 500)).toEqual({ acquired: false, retryAfterMs: 300 });
        expect(await store.peekInterval("i")).toBe(300);
        await clock.advance(300);
        expect(await store.peekInterval("i")).toBe(0);
        expect(await store.acquireInterval("i", 500)).toEqual({ acquired: true, retryAfterMs: 0 });
      });
    });

    describe("circuit breakers", () => {
      const fail = (store: StateStore, probe = false) => store.recordResult("b", { ok: false, probe }, policy);

      it("reads closed and empty before anything happened", async () => {
        const { store } = await setup();
        expect(await store.getBreaker("b", policy)).toEqual({
          state: "closed",
          consecutiveFailures: 0,
          probeInFlight: false,
          windowRequests: 0,
          windowFailures: 0,
        });
        expect(await store.acquireBreaker("b", policy)).toEqual({ allowed: true, probe: false, state: "closed" });
      });

      it("opens after consecutive failures and refuses until the cooldown ends", async () => {
        const { clock, store } = await setup();
        expect(await fail(store)).toEqual({ state: "closed" });
        await store.recordResult("b", { ok: true, probe: false }, policy);
        await fail(store);
        await fail(store);
        expect(await fail(store)).toEqual({
          state: "open",
          transition: { from: "closed", to: "open", at: START, reason: "3 consecutive failures" },
        });
        expect(await store.getBreaker("b", policy)).toEqual({
          state: "open",
          consecutiveFailures: 3,
          openUntil: START + 1000,
          probeInFlight: false,
          windowRequests: 5,
          windowFailures: 4,
        });
        await clock.advance(400);
        expect(await store.acquireBreaker("b", policy)).toEqual({ allowed: false, probe: false, state: "open", retryAfterMs: 600 });
        // Answers that arrive while open say nothing.
        expect(await store.recordResult("b", { ok: true, probe: false }, policy)).toEqual({ state: "open" });
      });

      it("lets one probe through after the cooldown, and closes on its success", async () => {
        const { clock, store } = await setup();
        for (let i = 0; i < 3; i++) await fail(store);
        await clock.advance(1000);
        expect(await store.getBreaker("b", policy)).toMatchObject({ state: "half_open", probeInFlight: false });
        expect(await store.acquireBreaker("b", policy)).toEqual({
          allowed: true,
          probe: true,
          state: "half_open",
          transition: { from: "open", to: "half_open", at: START + 1000, reason: "cooldown ended" },
        });
        expect(await store.getBreaker("b", policy)).toMatchObject({ state: "half_open", probeInFlight: true });
        await clock.advance(100);
        expect(await store.acquireBreaker("b", policy)).toEqual({ allowed: false, probe: false, state: "half_open", retryAfterMs: 4900 });
        expect(await store.recordResult("b", { ok: false, probe: false }, policy)).toEqual({ state: "half_open" });
        expect(await store.recordResult("b", { ok: true, probe: true }, policy)).toEqual({
          state: "closed",
          transition: { from: "half_open", to: "closed", at: START + 1100, reason: "probe succeeded" },
        });
        expect(await store.getBreaker("b", policy)).toEqual({
          state: "closed",
          consecutiveFailures: 0,
          probeInFlight: false,
          windowRequests: 0,
          windowFailures: 0,
        });
      });

      it("reopens when the probe fails", async () => {
        const { clock, store } = await setup();
        for (let i = 0; i < 3; i++) await fail(store);
        await clock.advance(1000);
        await store.acquireBreaker("b", policy);
        expect(await fail(store, true)).toEqual({
          state: "open",
          transition: { from: "half_open", to: "open", at: START + 1000, reason: "probe failed" },
        });
        expect(await store.getBreaker("b", policy)).toMatchObject({ state: "open", openUntil: START + 2000 });
      });

      it("hands the probe to another request when it is released or lost", async () => {
        const { clock, store } = await setup();
        for (let i = 0; i < 3; i++) await fail(store);
        await clock.advance(1000);
        await store.acquireBreaker("b", policy);
        await store.releaseProbe("b");
        expect(await store.acquireBreaker("b", policy)).toEqual({ allowed: true, probe: true, state: "half_open" });
        await clock.advance(5000);
        expect(await store.acquireBreaker("b", policy)).toEqual({ allowed: true, probe: true, state: "half_open" });
      });

      it("opens on a failure rate over the window, counted in ten buckets", async () => {
        const { clock, store } = await setup(100_000_000);
        const rated: BreakerPolicy = { ...policy, failureThreshold: 100, failureRate: 0.5, minRequests: 4 };
        const record = (ok: boolean) => store.recordResult("r", { ok, probe: false }, rated);
        await record(true);
        await record(false);
        await clock.advance(1000);
        await record(true);
        expect(await record(false)).toEqual({ state: "closed" });
        expect(await record(false)).toEqual({
          state: "open",
          transition: { from: "closed", to: "open", at: 100_001_000, reason: "failure rate 60% over 5 requests" },
        });
      });

      it("forgets buckets that have left the window", async () => {
        const { clock, store } = await setup(100_000_000);
        const rated: BreakerPolicy = { ...policy, failureThreshold: 100, failureRate: 0.5, minRequests: 3 };
        await store.recordResult("r", { ok: false, probe: false }, rated);
        await store.recordResult("r", { ok: false, probe: false }, rated);
        await clock.advance(9000);
        expect(await store.getBreaker("r", rated)).toMatchObject({ windowRequests: 2, windowFailures: 2 });
        await clock.advance(1000);
        expect(await store.getBreaker("r", rated)).toMatchObject({ windowRequests: 0, windowFailures: 0, consecutiveFailures: 2 });
        await store.recordResult("r", { ok: true, probe: false }, rated);
        expect(await store.recordResult("r", { ok: false, probe: false }, rated)).toEqual({ state: "closed" });
      });
    });

    describe("latency", () => {
      it("keeps an exponentially weighted average of each figure it is given", async () => {
        const { clock, store } = await setup();
        expect(await store.getLatency("l")).toBeUndefined();
        expect(await store.recordLatency("l", { ttftMs: 100 }, 0.5)).toEqual({ ttftMs: 100, msPerToken: undefined, samples: 1, updatedAt: START });
        await clock.advance(10);
        expect(await store.recordLatency("l", { ttftMs: 200, msPerToken: 10 }, 0.5)).toEqual({ ttftMs: 150, msPerToken: 10, samples: 2, updatedAt: START + 10 });
        expect(await store.recordLatency("l", { msPerToken: 20.5 }, 0.2)).toEqual({ ttftMs: 150, msPerToken: 10 + 0.2 * (20.5 - 10), samples: 3, updatedAt: START + 10 });
        expect(await store.getLatency("l")).toEqual({ ttftMs: 150, msPerToken: 10 + 0.2 * (20.5 - 10), samples: 3, updatedAt: START + 10 });
      });
    });

    describe("spend", () => {
      it("adds within a period, exactly as doubles add, and starts again after it", async () => {
        const { clock, store } = await setup();
        const end = START + 1000;
        expect(await store.getSpend("day")).toBe(0);
        expect(await store.addSpend("day", 0.1, end)).toBe(0.1);
        expect(await store.addSpend("day", 0.2, end)).toBe(0.1 + 0.2);
        expect(await store.getSpend("day")).toBe(0.1 + 0.2);
        await clock.advance(1000);
        expect(await store.getSpend("day")).toBe(0);
        expect(await store.addSpend("day", 1, end + 1000)).toBe(1);
      });

      it("keeps the period of a running total even when a later call names another", async () => {
        const { clock, store } = await setup();
        await store.addSpend("m", 1, START + 1000);
        await store.addSpend("m", 1, START + 5000);
        await clock.advance(1000);
        expect(await store.getSpend("m")).toBe(0);
      });
    });
  });
}
