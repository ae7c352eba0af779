import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { systemClock, type Clock } from "../core/index.js";
import {
  ACQUIRE_BREAKER,
  ACQUIRE_INTERVAL,
  ACQUIRE_SLOT,
  ADD_SPEND,
  GET_BREAKER,
  INCR_WINDOW,
  RECORD_LATENCY,
  RECORD_RESULT,
  RELEASE_PROBE,
} from "./redis-scripts.js";
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

export interface RedisStateStoreOptions {
  /** Put before every key, so several projects or deployments can share one Redis. Default `lf:`. */
  keyPrefix?: string;
  /** Time comes from here, not from Redis, so every instance must keep its clock in sync (NTP). */
  clock?: Clock;
}

/**
 * Keys outlive what they count by this much. Expiry only collects garbage (each script decides from
 * the time it is given), so the margin just has to cover clock differences between instances.
 */
const SLACK_MS = 60_000;
/** Breaker and latency figures are kept this long after their last change. */
const KEEP_MS = 24 * 3600_000;

type Reply = (string | number)[];
type ScriptFn = (key: string, ...args: string[]) => Promise<unknown>;

const SCRIPTS = {
  lfIncrWindow: INCR_WINDOW,
  lfAcquireSlot: ACQUIRE_SLOT,
  lfAcquireInterval: ACQUIRE_INTERVAL,
  lfGetBreaker: GET_BREAKER,
  lfAcquireBreaker: ACQUIRE_BREAKER,
  lfRecordResult: RECORD_RESULT,
  lfReleaseProbe: RELEASE_PROBE,
  lfRecordLatency: RECORD_LATENCY,
  lfAddSpend: ADD_SPEND,
} as const;

type ScriptName = keyof typeof SCRIPTS;

/**
 * The state store for several `lf` instances: the same semantics as `MemoryStateStore`, each method
 * one Lua script (run by EVALSHA through ioredis' `defineCommand`) or one plain read, so instances
 * never interleave a read and a write.
 */
export class RedisStateStore implements StateStore {
  private readonly clock: Clock;
  private readonly prefix: string;

  constructor(
    readonly redis: Redis,
    options: RedisStateStoreOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.prefix = options.keyPrefix ?? "lf:";
    for (const [name, lua] of Object.entries(SCRIPTS)) redis.defineCommand(name, { numberOfKeys: 1, lua });
  }

  async incrWindow(key: string, amount: number, windowMs: number, options: IncrWindowOptions = {}): Promise<WindowResult> {
    const reply = (await this.run("lfIncrWindow", this.key("win", `${key}:${windowMs}`), this.clock.now(), amount, windowMs, options.limit, options.windowStart, SLACK_MS)) as Reply;
    return { allowed: reply[0] === 1, total: Number(reply[1]), windowStart: Number(reply[2]), resetAt: Number(reply[3]) };
  }

  async peekWindow(key: string, windowMs: number): Promise<WindowResult> {
    const start = Math.floor(this.clock.now() / windowMs) * windowMs;
    const [storedStart, total] = await this.redis.hmget(this.key("win", `${key}:${windowMs}`), "s", "t");
    const current = storedStart !== null && Number(storedStart) === start;
    return { allowed: true, total: current ? Number(total) : 0, windowStart: start, resetAt: start + windowMs };
  }

  async acquireSlot(key: string, max: number, ttlMs: number): Promise<SlotResult> {
    const leaseId = randomUUID();
    // No max_concurrent arrives as Infinity, which Lua cannot read back: -1 stands for unbounded.
    const bound = Number.isFinite(max) ? max : -1;
    const reply = (await this.run("lfAcquireSlot", this.key("slot", key), this.clock.now(), bound, ttlMs, leaseId, SLACK_MS)) as Reply;
    return reply[0] === 1 ? { acquired: true, inUse: Number(reply[1]), leaseId } : { acquired: false, inUse: Number(reply[1]) };
  }

  async releaseSlot(key: string, leaseId: string): Promise<void> {
    await this.redis.zrem(this.key("slot", key), leaseId);
  }

  async countSlots(key: string): Promise<number> {
    return this.redis.zcount(this.key("slot", key), `(${this.clock.now()}`, "+inf");
  }

  async acquireInterval(key: string, intervalMs: number): Promise<IntervalResult> {
    const reply = (await this.run("lfAcquireInterval", this.key("interval", key), this.clock.now(), intervalMs, SLACK_MS)) as Reply;
    return { acquired: reply[0] === 1, retryAfterMs: Number(reply[1]) };
  }

  async peekInterval(key: string): Promise<number> {
    const until = await this.redis.get(this.key("interval", key));
    return Math.max(0, Number(until ?? 0) - this.clock.now());
  }

  async getBreaker(key: string, policy: BreakerPolicy): Promise<BreakerSnapshot> {
    const reply = (await this.run("lfGetBreaker", this.key("breaker", key), this.clock.now(), policy.windowMs, keepMs(policy))) as Reply;
    return {
      state: reply[0] as BreakerState,
      consecutiveFailures: Number(reply[1]),
      ...(reply[2] === "" ? {} : { openUntil: Number(reply[2]) }),
      probeInFlight: reply[3] === 1,
      windowRequests: Number(reply[4]),
      windowFailures: Number(reply[5]),
    };
  }

  async acquireBreaker(key: string, policy: BreakerPolicy): Promise<BreakerAdmission> {
    const reply = (await this.run("lfAcquireBreaker", this.key("breaker", key), this.clock.now(), policy.probeTtlMs, keepMs(policy))) as Reply;
    const transition = transitionOf(reply.slice(4));
    return {
      allowed: reply[0] === 1,
      probe: reply[1] === 1,
      state: reply[2] as BreakerState,
      ...(reply[3] === "" ? {} : { retryAfterMs: Number(reply[3]) }),
      ...(transition === undefined ? {} : { transition }),
    };
  }

  async recordResult(key: string, result: BreakerResult, policy: BreakerPolicy): Promise<BreakerUpdate> {
    const reply = (await this.run(
      "lfRecordResult",
      this.key("breaker", key),
      this.clock.now(),
      result.ok ? 1 : 0,
      result.probe ? 1 : 0,
      policy.failureThreshold,
      policy.failureRate,
      policy.windowMs,
      policy.minRequests,
      policy.cooldownMs,
      keepMs(policy),
    )) as Reply;
    const transition = transitionOf(reply.slice(1));
    return { state: reply[0] as BreakerState, ...(transition === undefined ? {} : { transition }) };
  }

  async releaseProbe(key: string): Promise<void> {
    await this.run("lfReleaseProbe", this.key("breaker", key));
  }

  async recordLatency(key: string, sample: LatencySample, alpha: number): Promise<LatencyStats> {
    const reply = (await this.run("lfRecordLatency", this.key("latency", key), this.clock.now(), sample.ttftMs, sample.msPerToken, alpha, KEEP_MS)) as Reply;
    return latencyOf(reply[0], reply[1], reply[2], reply[3]);
  }

  async getLatency(key: string): Promise<LatencyStats | undefined> {
    const [t, m, n, u] = await this.redis.hmget(this.key("latency", key), "t", "m", "n", "u");
    return n === null ? undefined : latencyOf(t ?? "", m ?? "", n, u ?? "0");
  }

  async addSpend(key: string, amount: number, periodEnd: number): Promise<number> {
    return Number(await this.run("lfAddSpend", this.key("spend", key), this.clock.now(), amount, periodEnd, SLACK_MS));
  }

  async getSpend(key: string): Promise<number> {
    const [total, end] = await this.redis.hmget(this.key("spend", key), "total", "end");
    return total !== null && Number(end) > this.clock.now() ? Number(total) : 0;
  }

  async close(): Promise<void> {
    if (this.redis.status === "end") return;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  private key(kind: string, key: string): string {
    return `${this.prefix}${kind}:${key}`;
  }

  private run(name: ScriptName, key: string, ...args: (number | string | undefined)[]): Promise<unknown> {
    const script = (this.redis as unknown as Record<ScriptName, ScriptFn>)[name];
    return script.call(this.redis, key, ...args.map((value) => (value === undefined ? "" : String(value))));
  }
}

function keepMs(policy: BreakerPolicy): number {
  return Math.max(policy.windowMs, policy.cooldownMs, policy.probeTtlMs) + KEEP_MS;
}

function transitionOf(fields: Reply): BreakerTransition | undefined {
  const [from, to, at, reason] = fields;
  if (from === undefined || from === "") return undefined;
  return { from: from as BreakerState, to: to as BreakerState, at: Number(at), reason: String(reason) };
}

function latencyOf(t: string | number | undefined, m: string | number | undefined, n: string | number | undefined, u: string | number | undefined): LatencyStats {
  return {
    ttftMs: t === "" || t === undefined ? undefined : Number(t),
    msPerToken: m === "" || m === undefined ? undefined : Number(m),
    samples: Number(n),
    updatedAt: Number(u),
  };
}
