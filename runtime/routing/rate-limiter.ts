import type { Clock, Usage } from "../core/index.js";
import type { StateStore } from "../state/index.js";
import { stateKeysOf, type ModelStateKeys } from "./model-state-keys.js";
import type { RoutableModel } from "./routable-model.js";

export interface Admission {
  ok: true;
  /** Frees the concurrency slot and, given the real usage, corrects the token count taken at admission. */
  release(usage?: Usage): Promise<void>;
  /** Takes the admission back entirely: the request never started (another gate refused it). */
  cancel(): Promise<void>;
}

export interface Refusal {
  ok: false;
  retryAfterMs: number;
  detail: string;
}

const MINUTE_MS = 60_000;
/** A freed slot cannot be announced through the store, so a waiting request looks again this often. */
const SLOT_POLL_MS = 100;
const DEFAULT_LEASE_MS = 10 * 60_000;

/**
 * rpm, tpm, max_concurrent and min_interval per model, counted in the state store. Every request also
 * holds an in-flight slot (unbounded without max_concurrent) so least-busy routing can read the load.
 */
export class RateLimiter {
  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock,
  ) {}

  async tryAdmit(model: RoutableModel, estimatedTokens: number): Promise<Admission | Refusal> {
    const limits = model.limits ?? {};
    const keys = limitKeys(model);
    const undo: (() => Promise<unknown>)[] = [];
    const refuse = async (retryAfterMs: number, detail: string): Promise<Refusal> => {
      for (const step of undo.reverse()) await step();
      return { ok: false, retryAfterMs: Math.max(0, retryAfterMs), detail };
    };

    const slot = await this.store.acquireSlot(keys.inFlight, limits.max_concurrent ?? Infinity, model.timeouts.total_ms ?? DEFAULT_LEASE_MS);
    if (!slot.acquired || slot.leaseId === undefined) {
      return refuse(SLOT_POLL_MS, `${slot.inUse} of max_concurrent ${limits.max_concurrent} in flight`);
    }
    const leaseId = slot.leaseId;
    undo.push(() => this.store.releaseSlot(keys.inFlight, leaseId));

    if (limits.rpm !== undefined) {
      const rpm = await this.store.incrWindow(keys.rpm, 1, MINUTE_MS, { limit: limits.rpm });
      if (!rpm.allowed) return refuse(rpm.resetAt - this.clock.now(), `rpm ${limits.rpm} reached`);
      undo.push(() => this.store.incrWindow(keys.rpm, -1, MINUTE_MS, { windowStart: rpm.windowStart }));
    }

    let tokens: { amount: number; windowStart: number } | undefined;
    if (limits.tpm !== undefined) {
      // A prompt larger than the whole budget still runs once the minute is otherwise empty.
      const amount = Math.min(estimatedTokens, limits.tpm);
      const tpm = await this.store.incrWindow(keys.tpm, amount, MINUTE_MS, { limit: limits.tpm });
      if (!tpm.allowed) return refuse(tpm.resetAt - this.clock.now(), `tpm ${limits.tpm} reached (${tpm.total} used)`);
      tokens = { amount, windowStart: tpm.windowStart };
      undo.push(() => this.store.incrWindow(keys.tpm, -amount, MINUTE_MS, { windowStart: tpm.windowStart }));
    }

    if (limits.min_interval_ms !== undefined && limits.min_interval_ms > 0) {
      const interval = await this.store.acquireInterval(keys.interval, limits.min_interval_ms);
      if (!interval.acquired) return refuse(interval.retryAfterMs, `min_interval ${limits.min_interval_ms}ms not yet passed`);
    }

    let released = false;
    return {
      ok: true,
      cancel: async () => {
        if (released) return;
        released = true;
        for (const step of undo.reverse()) await step();
      },
      release: async (usage) => {
        if (released) return;
        released = true;
        await this.store.releaseSlot(keys.inFlight, leaseId);
        if (tokens !== undefined && usage !== undefined) {
          const correction = usage.inputTokens + usage.outputTokens - tokens.amount;
          if (correction !== 0) await this.store.incrWindow(keys.tpm, correction, MINUTE_MS, { windowStart: tokens.windowStart });
        }
      },
    };
  }

  /** Whether `tryAdmit` would refuse now, without taking anything: for routing and `explain`. */
  async peek(model: RoutableModel, estimatedTokens: number): Promise<Refusal | undefined> {
    const limits = model.limits ?? {};
    const keys = limitKeys(model);
    const now = this.clock.now();
    const reasons: string[] = [];
    let wait = 0;
    if (limits.max_concurrent !== undefined) {
      const inUse = await this.store.countSlots(keys.inFlight);
      if (inUse >= limits.max_concurrent) {
        reasons.push(`${inUse} of max_concurrent ${limits.max_concurrent} in flight`);
        wait = Math.max(wait, SLOT_POLL_MS);
      }
    }
    if (limits.rpm !== undefined) {
      const rpm = await this.store.peekWindow(keys.rpm, MINUTE_MS);
      if (rpm.total + 1 > limits.rpm) {
        reasons.push(`rpm ${limits.rpm} reached`);
        wait = Math.max(wait, rpm.resetAt - now);
      }
    }
    if (limits.tpm !== undefined) {
      const tpm = await this.store.peekWindow(keys.tpm, MINUTE_MS);
      if (tpm.total + Math.min(estimatedTokens, limits.tpm) > limits.tpm) {
        reasons.push(`tpm ${limits.tpm} reached (${tpm.total} used)`);
        wait = Math.max(wait, tpm.resetAt - now);
      }
    }
    if (limits.min_interval_ms !== undefined && limits.min_interval_ms > 0) {
      const remaining = await this.store.peekInterval(keys.interval);
      if (remaining > 0) {
        reasons.push(`min_interval ${limits.min_interval_ms}ms not yet passed`);
        wait = Math.max(wait, remaining);
      }
    }
    return reasons.length === 0 ? undefined : { ok: false, retryAfterMs: wait, detail: reasons.join(", ") };
  }
}

export function limitKeys(model: RoutableModel): ModelStateKeys {
  return stateKeysOf(model);
}
