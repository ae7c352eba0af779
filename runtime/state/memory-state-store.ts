import { systemClock, type Clock } from "../core/index.js";
import type {
  BreakerAdmission,
  BreakerPolicy,
  BreakerResult,
  BreakerSnapshot,
  BreakerState,
  BreakerTransition,
  BreakerUpdate,
  IncrWindowOptions,
  IntervalResult,
  LatencySample,
  LatencyStats,
  SlotResult,
  StateStore,
  WindowResult,
} from "./state-store.js";

interface WindowEntry {
  start: number;
  total: number;
}

interface BreakerEntry {
  state: BreakerState;
  consecutiveFailures: number;
  openUntil: number;
  probeUntil: number;
  /** Failure-rate buckets of a tenth of the window each, keyed by bucket index. */
  buckets: Map<number, { total: number; failures: number }>;
}

const BUCKETS_PER_WINDOW = 10;

/**
 * The default store: one process, no persistence. Each method runs to completion without awaiting,
 * which gives it the same atomicity a Redis script would have.
 */
export class MemoryStateStore implements StateStore {
  private readonly clock: Clock;
  private readonly windows = new Map<string, WindowEntry>();
  private readonly slots = new Map<string, Map<string, number>>();
  private readonly intervals = new Map<string, number>();
  private readonly breakers = new Map<string, BreakerEntry>();
  private readonly latency = new Map<string, LatencyStats>();
  private readonly spend = new Map<string, { total: number; periodEnd: number }>();
  private nextLease = 0;

  constructor(options: { clock?: Clock } = {}) {
    this.clock = options.clock ?? systemClock;
  }

  async incrWindow(key: string, amount: number, windowMs: number, options: IncrWindowOptions = {}): Promise<WindowResult> {
    const entry = this.currentWindow(key, windowMs);
    const result = (allowed: boolean): WindowResult => ({
      allowed,
      total: entry.total,
      windowStart: entry.start,
      resetAt: entry.start + windowMs,
    });
    if (options.windowStart !== undefined && options.windowStart !== entry.start) return result(false);
    if (options.limit !== undefined && amount > 0 && entry.total + amount > options.limit) return result(false);
    entry.total = Math.max(0, entry.total + amount);
    return result(true);
  }

  async peekWindow(key: string, windowMs: number): Promise<WindowResult> {
    const entry = this.currentWindow(key, windowMs);
    return { allowed: true, total: entry.total, windowStart: entry.start, resetAt: entry.start + windowMs };
  }

  async acquireSlot(key: string, max: number, ttlMs: number): Promise<SlotResult> {
    const leases = this.liveLeases(key);
    if (leases.size >= max) return { acquired: false, inUse: leases.size };
    const leaseId = String(++this.nextLease);
    leases.set(leaseId, this.clock.now() + ttlMs);
    return { acquired: true, inUse: leases.size, leaseId };
  }

  async releaseSlot(key: string, leaseId: string): Promise<void> {
    this.slots.get(key)?.delete(leaseId);
  }

  async countSlots(key: string): Promise<number> {
    return this.liveLeases(key).size;
  }

  async acquireInterval(key: string, intervalMs: number): Promise<IntervalResult> {
    const now = this.clock.now();
    const until = this.intervals.get(key) ?? 0;
    if (until > now) return { acquired: false, retryAfterMs: until - now };
    this.intervals.set(key, now + intervalMs);
    return { acquired: true, retryAfterMs: 0 };
  }

  async peekInterval(key: string): Promise<number> {
    return Math.max(0, (this.intervals.get(key) ?? 0) - this.clock.now());
  }

  async getBreaker(key: string, policy: BreakerPolicy): Promise<BreakerSnapshot> {
    const entry = this.breaker(key);
    const now = this.clock.now();
    const { total, failures } = this.windowCounts(entry, policy, now);
    const cooled = entry.state === "open" && now >= entry.openUntil;
    return {
      state: cooled ? "half_open" : entry.state,
      consecutiveFailures: entry.consecutiveFailures,
      ...(entry.state === "open" && !cooled ? { openUntil: entry.openUntil } : {}),
      probeInFlight: entry.state === "half_open" && entry.probeUntil > now,
      windowRequests: total,
      windowFailures: failures,
    };
  }

  async acquireBreaker(key: string, policy: BreakerPolicy): Promise<BreakerAdmission> {
    const entry = this.breaker(key);
    const now = this.clock.now();
    if (entry.state === "closed") return { allowed: true, probe: false, state: "closed" };
    if (entry.state === "open") {
      if (now < entry.openUntil) return { allowed: false, probe: false, state: "open", retryAfterMs: entry.openUntil - now };
      const transition = this.move(entry, "half_open", now, "cooldown ended");
      entry.probeUntil = now + policy.probeTtlMs;
      return { allowed: true, probe: true, state: "half_open", transition };
    }
    if (entry.probeUntil > now) {
      return { allowed: false, probe: false, state: "half_open", retryAfterMs: entry.probeUntil - now };
    }
    entry.probeUntil = now + policy.probeTtlMs;
    return { allowed: true, probe: true, state: "half_open" };
  }

  async recordResult(key: string, result: BreakerResult, policy: BreakerPolicy): Promise<BreakerUpdate> {
    const entry = this.breaker(key);
    const now = this.clock.now();
    if (entry.state === "half_open") {
      // Only the probe speaks for a half-open circuit; late answers from before it opened do not.
      if (!result.probe) return { state: entry.state };
      entry.probeUntil = 0;
      if (result.ok) {
        entry.consecutiveFailures = 0;
        entry.buckets.clear();
        return { state: "closed", transition: this.move(entry, "closed", now, "probe succeeded") };
      }
      entry.openUntil = now + policy.cooldownMs;
      return { state: "open", transition: this.move(entry, "open", now, "probe failed") };
    }
    if (entry.state === "open") return { state: entry.state };

    const bucketMs = Math.max(1, policy.windowMs / BUCKETS_PER_WINDOW);
    const index = Math.floor(now / bucketMs);
    const bucket = entry.buckets.get(index) ?? { total: 0, failures: 0 };
    bucket.total += 1;
    if (!result.ok) bucket.failures += 1;
    entry.buckets.set(index, bucket);
    entry.consecutiveFailures = result.ok ? 0 : entry.consecutiveFailures + 1;
    if (result.ok) return { state: "closed" };

    const { total, failures } = this.windowCounts(entry, policy, now);
    let reason: string | undefined;
    if (entry.consecutiveFailures >= policy.failureThreshold) {
      reason = `${entry.consecutiveFailures} consecutive failures`;
    } else if (policy.failureRate !== undefined && total >= policy.minRequests && failures / total > policy.failureRate) {
      reason = `failure rate ${Math.round((failures / total) * 100)}% over ${total} requests`;
    }
    if (reason === undefined) return { state: "closed" };
    entry.openUntil = now + policy.cooldownMs;
    return { state: "open", transition: this.move(entry, "open", now, reason) };
  }

  async releaseProbe(key: string): Promise<void> {
    const entry = this.breakers.get(key);
    if (entry?.state === "half_open") entry.probeUntil = 0;
  }

  async recordLatency(key: string, sample: LatencySample, alpha: number): Promise<LatencyStats> {
    const previous = this.latency.get(key);
    const blend = (old: number | undefined, value: number | undefined) =>
      value === undefined ? old : old === undefined ? value : old + alpha * (value - old);
    const next: LatencyStats = {
      ttftMs: blend(previous?.ttftMs, sample.ttftMs),
      msPerToken: blend(previous?.msPerToken, sample.msPerToken),
      samples: (previous?.samples ?? 0) + 1,
      updatedAt: this.clock.now(),
    };
    this.latency.set(key, next);
    return next;
  }

  async getLatency(key: string): Promise<LatencyStats | undefined> {
    return this.latency.get(key);
  }

  async addSpend(key: string, amount: number, periodEnd: number): Promise<number> {
    const now = this.clock.now();
    const entry = this.spend.get(key);
    const live = entry !== undefined && entry.periodEnd > now ? entry : { total: 0, periodEnd };
    live.total += amount;
    this.spend.set(key, live);
    return live.total;
  }

  async getSpend(key: string): Promise<number> {
    const entry = this.spend.get(key);
    return entry !== undefined && entry.periodEnd > this.clock.now() ? entry.total : 0;
  }

  private currentWindow(key: string, windowMs: number): WindowEntry {
    const start = Math.floor(this.clock.now() / windowMs) * windowMs;
    const mapKey = `${key}\u0000${windowMs}`;
    let entry = this.windows.get(mapKey);
    if (entry === undefined || entry.start !== start) {
      entry = { start, total: 0 };
      this.windows.set(mapKey, entry);
    }
    return entry;
  }

  private liveLeases(key: string): Map<string, number> {
    let leases = this.slots.get(key);
    if (leases === undefined) {
      leases = new Map();
      this.slots.set(key, leases);
    }
    const now = this.clock.now();
    for (const [id, expiry] of leases) if (expiry <= now) leases.delete(id);
    return leases;
  }

  private breaker(key: string): BreakerEntry {
    let entry = this.breakers.get(key);
    if (entry === undefined) {
      entry = { state: "closed", consecutiveFailures: 0, openUntil: 0, probeUntil: 0, buckets: new Map() };
      this.breakers.set(key, entry);
    }
    return entry;
  }

  private windowCounts(entry: BreakerEntry, policy: BreakerPolicy, now: number) {
    const bucketMs = Math.max(1, policy.windowMs / BUCKETS_PER_WINDOW);
    const oldest = Math.floor(now / bucketMs) - BUCKETS_PER_WINDOW + 1;
    let total = 0;
    let failures = 0;
    for (const [index, bucket] of entry.buckets) {
      if (index < oldest) {
        entry.buckets.delete(index);
        continue;
      }
      total += bucket.total;
      failures += bucket.failures;
    }
    return { total, failures };
  }

  private move(entry: BreakerEntry, to: BreakerState, at: number, reason: string): BreakerTransition {
    const transition = { from: entry.state, to, at, reason };
    entry.state = to;
    return transition;
  }
}
