import type { BreakerAdmission, BreakerPolicy, BreakerSnapshot, BreakerTransition, StateStore } from "../state/index.js";
import { stateKeysOf } from "./model-state-keys.js";
import type { RoutableModel } from "./routable-model.js";
import type { RoutingEventListener } from "./route-attempt.js";

const DEFAULT_PROBE_TTL_MS = 10 * 60_000;

/** Per-model circuit breakers kept in the state store, announcing every state change. */
export class CircuitBreaker {
  constructor(
    private readonly store: StateStore,
    private readonly onEvent: RoutingEventListener = () => undefined,
  ) {}

  /** A read that takes nothing: for skipping an open circuit early and for `explain`. */
  peek(model: RoutableModel): Promise<BreakerSnapshot> {
    return this.store.getBreaker(breakerKey(model), breakerPolicy(model));
  }

  async acquire(model: RoutableModel): Promise<BreakerAdmission> {
    const admission = await this.store.acquireBreaker(breakerKey(model), breakerPolicy(model));
    this.announce(model, admission.transition);
    return admission;
  }

  async record(model: RoutableModel, ok: boolean, probe: boolean): Promise<void> {
    const update = await this.store.recordResult(breakerKey(model), { ok, probe }, breakerPolicy(model));
    this.announce(model, update.transition);
  }

  /** Ends a call whose outcome says nothing about the model (a bad request, a client abort). */
  async release(model: RoutableModel, probe: boolean): Promise<void> {
    if (probe) await this.store.releaseProbe(breakerKey(model));
  }

  private announce(model: RoutableModel, transition: BreakerTransition | undefined): void {
    if (transition !== undefined) this.onEvent({ type: "breaker", model: model.name, ...transition });
  }
}

export function breakerKey(model: RoutableModel): string {
  return stateKeysOf(model).breaker;
}

export function breakerPolicy(model: RoutableModel): BreakerPolicy {
  const policy = model.circuitBreaker;
  return {
    failureThreshold: policy.failure_threshold,
    ...(policy.failure_rate !== undefined ? { failureRate: policy.failure_rate } : {}),
    windowMs: policy.window_ms,
    minRequests: policy.min_requests,
    cooldownMs: policy.cooldown_ms,
    // A probe may legitimately run as long as a whole call; past that its holder is presumed gone.
    probeTtlMs: model.timeouts.total_ms ?? DEFAULT_PROBE_TTL_MS,
  };
}
