/**
 * Shared counters behind rate limits, circuit breakers, latency statistics and spend.
 *
 * Every method is one atomic operation: callers never read a value and write it back, so a Redis
 * implementation (one Lua script or INCR-with-expiry per method) stays correct when several `lf`
 * instances share it. Policies travel with each call, so the store holds data and no configuration.
 */
export interface StateStore {
  /**
   * Adds `amount` to the fixed window of `windowMs` that contains now. With `limit`, a positive amount
   * that would take the total above it is refused and nothing is added. With `windowStart`, the add
   * applies only if that window is still the current one (a late correction never leaks into the next).
   */
  incrWindow(key: string, amount: number, windowMs: number, options?: IncrWindowOptions): Promise<WindowResult>;
  peekWindow(key: string, windowMs: number): Promise<WindowResult>;

  /** Takes one of `max` slots for at most `ttlMs` (a lease a crashed holder cannot keep forever). */
  acquireSlot(key: string, max: number, ttlMs: number): Promise<SlotResult>;
  releaseSlot(key: string, leaseId: string): Promise<void>;
  countSlots(key: string): Promise<number>;

  /** Claims the right to start if nothing started within `intervalMs` (SET NX PX). */
  acquireInterval(key: string, intervalMs: number): Promise<IntervalResult>;
  peekInterval(key: string): Promise<number>;

  getBreaker(key: string, policy: BreakerPolicy): Promise<BreakerSnapshot>;
  /** Lets a request through a closed circuit, or claims the single half-open probe. */
  acquireBreaker(key: string, policy: BreakerPolicy): Promise<BreakerAdmission>;
  recordResult(key: string, result: BreakerResult, policy: BreakerPolicy): Promise<BreakerUpdate>;
  /** Gives the half-open probe back without a verdict (the client went away). */
  releaseProbe(key: string): Promise<void>;

  recordLatency(key: string, sample: LatencySample, alpha: number): Promise<LatencyStats>;
  getLatency(key: string): Promise<LatencyStats | undefined>;

  /** Adds to a total that starts again from zero after `periodEnd` (epoch ms). Returns the new total. */
  addSpend(key: string, amount: number, periodEnd: number): Promise<number>;
  getSpend(key: string): Promise<number>;
}

export interface IncrWindowOptions {
  limit?: number;
  windowStart?: number;
}

export interface WindowResult {
  allowed: boolean;
  total: number;
  windowStart: number;
  /** When the window ends and its total starts again from zero. */
  resetAt: number;
}

export interface SlotResult {
  acquired: boolean;
  inUse: number;
  leaseId?: string;
}

export interface IntervalResult {
  acquired: boolean;
  /** 0 when acquired, else how long until the interval has passed. */
  retryAfterMs: number;
}

export type BreakerState = "closed" | "open" | "half_open";

export interface BreakerPolicy {
  failureThreshold: number;
  /** A fraction in (0, 1]; the rate must exceed it over `windowMs` with at least `minRequests`. */
  failureRate?: number;
  windowMs: number;
  minRequests: number;
  cooldownMs: number;
  /** How long a half-open probe may stay out before another request may probe instead. */
  probeTtlMs: number;
}

export interface BreakerSnapshot {
  /** The state as a request would see it now: an open circuit whose cooldown has passed reads half_open. */
  state: BreakerState;
  consecutiveFailures: number;
  /** Open: when the cooldown ends. */
  openUntil?: number;
  probeInFlight: boolean;
  windowRequests: number;
  windowFailures: number;
}

export interface BreakerTransition {
  from: BreakerState;
  to: BreakerState;
  at: number;
  reason: string;
}

export interface BreakerAdmission {
  allowed: boolean;
  /** This request is the half-open probe: its result decides the circuit. */
  probe: boolean;
  state: BreakerState;
  retryAfterMs?: number;
  transition?: BreakerTransition;
}

export interface BreakerResult {
  ok: boolean;
  probe: boolean;
}

export interface BreakerUpdate {
  state: BreakerState;
  transition?: BreakerTransition;
}

export interface LatencySample {
  /** Time to the first output part. */
  ttftMs?: number;
  /** Generation time per output token after the first. */
  msPerToken?: number;
}

export interface LatencyStats {
  ttftMs: number | undefined;
  msPerToken: number | undefined;
  samples: number;
  updatedAt: number;
}
