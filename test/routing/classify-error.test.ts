import { describe, expect, it } from "vitest";
import { LfError, ProviderError, seededRandom } from "../../runtime/core/index.js";
import { classifyError } from "../../runtime/routing/classify-error.js";
import { backoffDelay, planRetry } from "../../runtime/routing/plan-retry.js";
import { connectionReset, httpError } from "./scripted-adapter.js";

describe("classifyError", () => {
  it.each([
    [408, "retry", true],
    [409, "retry", true],
    [429, "retry", true],
    [500, "retry", true],
    [503, "retry", true],
    [400, "stop", false],
    [422, "stop", false],
    [401, "next", true],
    [403, "next", true],
    [404, "next", true],
    [413, "next", false],
  ] as const)("status %i -> %s (counts for the breaker: %s)", (status, action, counts) => {
    expect(classifyError(httpError(status))).toMatchObject({ action, countsAsFailure: counts, status });
  });

  it("retries connection errors and timeouts, found by type and code", () => {
    expect(classifyError(connectionReset())).toMatchObject({ action: "retry", code: "provider_unreachable" });
    const wrapped = new TypeError("fetch failed", { cause: connectionReset() });
    expect(classifyError(wrapped).action).toBe("retry");
    const timeout = new ProviderError("slow", { provider: "p", modelId: "m", code: "provider_timeout" });
    expect(classifyError(timeout)).toMatchObject({ action: "retry", code: "provider_timeout" });
  });

  it("ends everything when the client aborted, whatever the error", () => {
    const controller = new AbortController();
    controller.abort();
    expect(classifyError(httpError(500), controller.signal)).toMatchObject({ action: "abort", countsAsFailure: false, code: "aborted" });
  });

  it("never reads the message", () => {
    expect(classifyError(new Error("429 rate limit exceeded, retry")).action).toBe("next");
    expect(classifyError(new LfError("invalid_request", "timeout")).action).toBe("stop");
  });
});

describe("planRetry", () => {
  const policy = { max_attempts: 4, initial_backoff_ms: 100, max_backoff_ms: 1000, max_retry_after_ms: 5000 };

  it("draws full-jitter delays under a doubling ceiling", () => {
    const random = seededRandom(3);
    const ceilings = [100, 200, 400, 800, 1000, 1000];
    ceilings.forEach((ceiling, i) => {
      for (let n = 0; n < 50; n++) {
        const delay = backoffDelay(i + 1, policy, random);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(ceiling);
      }
    });
  });

  it("uses Retry-After up to the bound and moves on past it", () => {
    const now = 1_000_000;
    expect(planRetry(classifyError(httpError(429, { "retry-after": "2" })), 1, policy, seededRandom(1), now, 60_000)).toEqual({ retry: true, delayMs: 2000 });
    expect(planRetry(classifyError(httpError(429, { "retry-after": "6" })), 1, policy, seededRandom(1), now, 60_000).retry).toBe(false);
    expect(planRetry(classifyError(httpError(503)), 4, policy, seededRandom(1), now, 60_000).retry).toBe(false);
    expect(planRetry(classifyError(httpError(429, { "retry-after": "2" })), 1, policy, seededRandom(1), now, 1500).retry).toBe(false);
    expect(planRetry(classifyError(httpError(401)), 1, policy, seededRandom(1), now, 60_000).retry).toBe(false);
  });
});
