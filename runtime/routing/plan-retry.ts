import { ProviderError, type Random } from "../core/index.js";
import type { ErrorClass } from "./classify-error.js";
import type { RetryPolicy } from "./routable-model.js";

export type RetryPlan = { retry: true; delayMs: number } | { retry: false; reason: string };

/** Exponential backoff with full jitter: a uniform delay in [0, min(max, initial * 2^(n-1))). */
export function backoffDelay(failedAttempts: number, policy: RetryPolicy, random: Random): number {
  const ceiling = Math.min(policy.max_backoff_ms, policy.initial_backoff_ms * 2 ** Math.max(0, failedAttempts - 1));
  return Math.floor(random.next() * ceiling);
}

/**
 * Whether to ask the same model again after `failedAttempts` attempts, and after how long.
 * `Retry-After` replaces the backoff; one longer than the policy allows (or than the time left)
 * sends the request to the next model instead.
 */
export function planRetry(
  failure: ErrorClass,
  failedAttempts: number,
  policy: RetryPolicy,
  random: Random,
  now: number,
  remainingMs: number,
): RetryPlan {
  if (failure.action !== "retry") return { retry: false, reason: `not retryable (${failure.action})` };
  if (failedAttempts >= policy.max_attempts) return { retry: false, reason: `${failedAttempts} attempts made` };
  const retryAfter = failure.error instanceof ProviderError ? failure.error.retryAfterMs(now) : undefined;
  if (retryAfter !== undefined && retryAfter > policy.max_retry_after_ms) {
    return { retry: false, reason: `Retry-After ${retryAfter}ms exceeds ${policy.max_retry_after_ms}ms` };
  }
  const delayMs = retryAfter ?? backoffDelay(failedAttempts, policy, random);
  if (delayMs >= remainingMs) return { retry: false, reason: `no time left for a ${delayMs}ms wait` };
  return { retry: true, delayMs };
}
