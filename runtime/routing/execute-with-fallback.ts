import { LfError, publicMessageOf, type Clock, type ModelCallOptions, type Random, type StreamPart, type Usage } from "../core/index.js";
import type { StateStore } from "../state/index.js";
import type { AttemptTracer } from "./attempt-trace.js";
import { CircuitBreaker } from "./circuit-breaker.js";
import { classifyError, type ErrorClass } from "./classify-error.js";
import { stateKeysOf } from "./model-state-keys.js";
import { constraintMisfit, modelMisfit, type RouteConstraints } from "./model-fit.js";
import { planRetry } from "./plan-retry.js";
import { RateLimiter } from "./rate-limiter.js";
import { estimateTokens, requestFeatures, type RequestFeatures } from "./request-features.js";
import type { RoutableModel } from "./routable-model.js";
import type { RouteAttempt, RoutingEventListener, SkipReason } from "./route-attempt.js";
import type { RouteResult } from "./route-result.js";
import { summarizeAttempts } from "./summarize-attempts.js";
import { watchWhole, withTimeouts } from "./with-timeouts.js";

export interface ExecutorDeps {
  store: StateStore;
  clock: Clock;
  random: Random;
  /** Share one breaker and one limiter between requests so their events are announced once. */
  breaker?: CircuitBreaker;
  limiter?: RateLimiter;
  onEvent?: RoutingEventListener;
  /** Weight of a new sample in the latency averages. */
  latencyAlpha?: number;
}

export interface FallbackRequest {
  /** In order: a router's pick and its other members, the model's fallbacks, the project chain (deduplicated). */
  candidates: readonly RoutableModel[];
  options: ModelCallOptions;
  /** Over every call, backoff and wait of this request. */
  totalTimeoutMs?: number;
  /** Models a router already passed over (constraints), reported with the rest. */
  skipped?: readonly RouteAttempt[];
  features?: RequestFeatures;
  /** Applied to every candidate, fallbacks included. */
  constraints?: RouteConstraints;
  /**
   * The reader wants the whole answer, not a stream: output is held until the call ends, so a call that
   * breaks midway still falls back (nothing has reached the client). A tool the runtime runs commits at
   * once all the same, so its side effects never happen twice.
   */
  holdOutput?: boolean;
  /** Called once, just before the first part reaches the reader (e.g. to set a response header). */
  onServe?: (model: RoutableModel) => void;
  /** A span per call, while tracing is on. */
  trace?: AttemptTracer;
}

function isOutput(part: StreamPart): boolean {
  return part.type !== "usage" && part.type !== "finish";
}

/** `parts`: a whole answer, handed over at once rather than yielded part by part. */
type ModelOutcome = { kind: "served"; parts?: StreamPart[] } | { kind: "next" } | { kind: "limited"; retryAfterMs: number };

const DEFAULT_LATENCY_ALPHA = 0.2;

/**
 * Tries each candidate in turn until one answers. A candidate that cannot take the request is passed
 * over with a reason; a failed call is retried on the same model when that can help, else the next
 * model is asked. Once a part has reached the reader there is no going back: a later failure becomes
 * an `error` part and the stream ends. When nothing answered, the stream throws `all_models_failed`
 * (or `rate_limited` when no call failed and some model was only over its limits).
 */
export function executeWithFallback(request: FallbackRequest, deps: ExecutorDeps): RouteResult {
  const state = {
    servedBy: undefined as string | undefined,
    attempts: [...(request.skipped ?? [])] as RouteAttempt[],
    usage: undefined as Usage | undefined,
    firstOutputAt: undefined as number | undefined,
  };
  let consumed = false;
  const execution = (collecting: boolean) => {
    if (consumed) throw new LfError("internal", "A routed answer can be read only once.");
    consumed = true;
    return new Execution(request, deps, state, collecting).run();
  };
  return {
    get servedBy() {
      return state.servedBy;
    },
    get attempts() {
      return state.attempts;
    },
    get usage() {
      return state.usage;
    },
    get firstOutputAt() {
      return state.firstOutputAt;
    },
    [Symbol.asyncIterator]() {
      return execution(false);
    },
    async collect() {
      const run = execution(true);
      const parts: StreamPart[] = [];
      for (let next = await run.next(); ; next = await run.next()) {
        if (next.done === true) return next.value === undefined ? parts : parts.concat(next.value);
        parts.push(next.value);
      }
    },
  };
}

class Execution {
  private readonly clock: Clock;
  private readonly breaker: CircuitBreaker;
  private readonly limiter: RateLimiter;
  private readonly features: RequestFeatures;
  private readonly signal: AbortSignal | undefined;
  private readonly deadline: number;

  constructor(
    private readonly request: FallbackRequest,
    private readonly deps: ExecutorDeps,
    private readonly state: { servedBy: string | undefined; attempts: RouteAttempt[]; usage: Usage | undefined; firstOutputAt: number | undefined },
    /** The reader takes a whole answer as the run's return value instead of part by part. */
    private readonly collecting = false,
  ) {
    this.clock = deps.clock;
    this.breaker = deps.breaker ?? new CircuitBreaker(deps.store, deps.onEvent);
    this.limiter = deps.limiter ?? new RateLimiter(deps.store, deps.clock);
    this.features = request.features ?? requestFeatures(request.options);
    this.signal = request.options.signal;
    this.deadline = this.clock.now() + (request.totalTimeoutMs ?? Infinity);
  }

  async *run(): AsyncGenerator<StreamPart, StreamPart[] | undefined, undefined> {
    const limited = new Map<RoutableModel, { readyAt: number; waitUntil: number }>();
    const candidates = this.request.candidates;
    for (const model of candidates) {
      const outcome = yield* this.tryModel(model, model !== candidates[candidates.length - 1]);
      if (outcome.kind === "served") return yield* this.handOver(outcome.parts);
      if (outcome.kind === "limited") {
        const now = this.clock.now();
        limited.set(model, { readyAt: now + outcome.retryAfterMs, waitUntil: now + (model.limits?.max_wait_ms ?? 0) });
      }
    }
    // Every candidate has been asked: now wait for the over-limit ones that allow waiting, soonest first.
    while (limited.size > 0) {
      const [model, entry] = [...limited].reduce((best, next) => (next[1].readyAt < best[1].readyAt ? next : best));
      limited.delete(model);
      if (entry.readyAt > entry.waitUntil || entry.readyAt >= this.deadline) continue;
      await this.sleep(entry.readyAt - this.clock.now());
      const outcome = yield* this.tryModel(model);
      if (outcome.kind === "served") return yield* this.handOver(outcome.parts);
      if (outcome.kind === "limited") limited.set(model, { readyAt: this.clock.now() + outcome.retryAfterMs, waitUntil: entry.waitUntil });
    }
    throw this.finalError();
  }

  /** A whole answer goes to a collecting reader as it is, else part by part. */
  private async *handOver(parts: StreamPart[] | undefined): AsyncGenerator<StreamPart, StreamPart[] | undefined, undefined> {
    if (parts === undefined || this.collecting) return parts;
    yield* parts;
    return undefined;
  }

  /** `more`: other candidates come after this one. */
  private async *tryModel(model: RoutableModel, more = false): AsyncGenerator<StreamPart, ModelOutcome, undefined> {
    const misfit = modelMisfit(model, this.features);
    if (misfit !== undefined) return this.skip(model, misfit.reason, misfit.detail);
    if (this.request.constraints !== undefined) {
      const latency = await this.deps.store.getLatency(stateKeysOf(model).latency);
      const outside = constraintMisfit(model, this.features, this.request.constraints, latency);
      if (outside !== undefined) return this.skip(model, outside.reason, outside.detail);
    }

    for (let call = 1; ; call++) {
      this.throwIfAborted();
      const remaining = this.deadline - this.clock.now();
      if (remaining <= 0) return this.skip(model, "deadline", "the request's total timeout has passed");

      const snapshot = await this.breaker.peek(model);
      if (snapshot.state === "open") {
        const retryAfterMs = (snapshot.openUntil ?? 0) - this.clock.now();
        return this.skip(model, "circuit_open", `circuit open for another ${retryAfterMs}ms`, retryAfterMs);
      }
      if (snapshot.state === "half_open" && snapshot.probeInFlight) {
        return this.skip(model, "probe_in_flight", "circuit half-open and its probe is in flight");
      }
      const admission = await this.limiter.tryAdmit(model, this.features.promptTokens);
      if (!admission.ok) {
        this.skip(model, "rate_limited", admission.detail, admission.retryAfterMs);
        return { kind: "limited", retryAfterMs: admission.retryAfterMs };
      }
      const gate = await this.breaker.acquire(model);
      if (!gate.allowed) {
        await admission.cancel();
        const reason: SkipReason = gate.state === "open" ? "circuit_open" : "probe_in_flight";
        return this.skip(model, reason, `circuit ${gate.state}`, gate.retryAfterMs);
      }

      const started = this.clock.now();
      const span = this.request.trace?.attempt(model, call);
      const options = span === undefined ? this.request.options : { ...this.request.options, trace: span };
      let firstAt: number | undefined;
      // When the first output arrived from the model (held output reaches the reader later).
      let outputAt: number | undefined;
      let outputChars = 0;
      let usage: Usage | undefined;
      let failure: ErrorClass | undefined;
      let settled = false;
      try {
        const timing = {
          provider: model.adapter.provider,
          modelId: model.adapter.modelId,
          timeouts: { ...model.timeouts, total_ms: Math.min(model.timeouts.total_ms ?? Infinity, remaining) },
          clock: this.clock,
          ...(this.signal !== undefined ? { signal: this.signal } : {}),
        };
        // Bookkeeping parts that come before any output are held back, so a failure before the
        // first real output can still fall back: the reader has seen nothing yet.
        const held: StreamPart[] = [];
        const hold = this.request.holdOutput === true;
        const observe = (part: StreamPart) => {
          // The adapter contract throws before output, but an early error part means the same.
          if (part.type === "error") throw part.error;
          if (part.type === "text-delta") outputChars += part.text.length;
          if (part.type === "usage") usage = part.usage;
          if (outputAt === undefined && isOutput(part)) outputAt = this.clock.now();
        };
        const collect = model.adapter.collect;
        try {
          // A whole answer is read as a stream too and held: the connect, first-token and idle
          // deadlines then tell a hung model from a slow one, and the next model still has time.
          if (hold && collect !== undefined) {
            // Read whole by the adapter, every part at once, under the same deadlines.
            const parts = await watchWhole((signal, watch) => {
              // The model's first output is when it is read, not when the whole answer is in.
              const onOutput = () => {
                outputAt ??= this.clock.now();
                watch.onOutput();
              };
              return collect.call(model.adapter, { ...options, signal, onResponse: watch.onResponse, onOutput });
            }, timing);
            for (const part of parts) observe(part);
            held.push(...parts);
          } else {
            for await (const part of withTimeouts((signal, onResponse) => model.adapter.stream({ ...options, signal, onResponse }), timing)) {
              observe(part);
              if (firstAt === undefined) {
                if (!isOutput(part) || (hold && part.type !== "tool-start")) {
                  held.push(part);
                  continue;
                }
                firstAt = this.commit(model);
                yield* held.splice(0);
              }
              yield part;
            }
          }
        } catch (error) {
          failure = classifyError(error, this.signal);
        }
        // What was held is handed over whole once the call has succeeded.
        const answer = failure === undefined && held.length > 0 ? held : undefined;
        if (answer !== undefined) firstAt = this.commit(model);

        const durationMs = this.clock.now() - started;
        settled = true;
        if (failure === undefined) {
          this.state.servedBy = model.name;
          this.state.usage = usage;
          this.state.firstOutputAt = outputAt ?? firstAt;
          const served = this.record({ model: model.name, outcome: "success", attempt: call, durationMs });
          span?.end(served, undefined, usage);
          await this.breaker.record(model, true, gate.probe);
          await admission.release(usage);
          await this.recordLatency(model, started, outputAt ?? firstAt, usage?.outputTokens ?? estimateTokens(outputChars));
          return answer === undefined ? { kind: "served" } : { kind: "served", parts: answer };
        }

        const committed = firstAt !== undefined;
        const failed = this.record({
          model: model.name,
          outcome: failure.action === "abort" ? "aborted" : "failed",
          attempt: call,
          code: failure.code,
          ...(failure.status !== undefined ? { status: failure.status } : {}),
          durationMs,
          ...(committed ? { afterOutput: true } : {}),
          detail: failure.error.message,
          clientDetail: publicMessageOf(failure.error),
        });
        span?.end(failed, failure, usage);
        if (failure.countsAsFailure) await this.breaker.record(model, false, gate.probe);
        else await this.breaker.release(model, gate.probe);
        await admission.release(usage);

        if (committed) {
          this.state.firstOutputAt = outputAt ?? firstAt;
          yield { type: "error", error: failure.error };
          return { kind: "served" };
        }
        if (failure.action === "abort") throw failure.error;
        if (failure.action === "stop") {
          throw new LfError("invalid_request", `${model.name} rejected the request: ${failure.error.message}`, {
            publicMessage: `${model.name} rejected the request: ${publicMessageOf(failure.error)}`,
            cause: failure.error,
            details: { model: model.name, status: failure.status, attempts: this.state.attempts },
          });
        }
        // A model that let a deadline pass is likely to do it again: the next model is asked at once,
        // while there is one, rather than the same one after another full wait.
        if (more && failure.code === "provider_timeout") return { kind: "next" };
        const plan = planRetry(failure, call, model.retries, this.deps.random, this.clock.now(), this.deadline - this.clock.now());
        if (!plan.retry) return { kind: "next" };
        await this.sleep(plan.delayMs);
      } finally {
        if (!settled) {
          // The reader stopped reading mid-stream: the call ends without a verdict on the model.
          span?.end({ model: model.name, outcome: "aborted", attempt: call, durationMs: this.clock.now() - started });
          await this.breaker.release(model, gate.probe);
          await admission.release(usage);
        }
      }
    }
  }

  private commit(model: RoutableModel): number {
    this.state.servedBy = model.name;
    this.request.onServe?.(model);
    return this.clock.now();
  }

  private skip(model: RoutableModel, reason: SkipReason, detail: string, retryAfterMs?: number): ModelOutcome {
    const previous = this.state.attempts[this.state.attempts.length - 1];
    const attempt: RouteAttempt = {
      model: model.name,
      outcome: "skipped",
      durationMs: 0,
      skipped: reason,
      detail,
      ...(retryAfterMs !== undefined ? { retryAfterMs: Math.max(0, retryAfterMs) } : {}),
    };
    // Waiting on a limit looks again and again; one line says it as well as many.
    if (previous?.model === model.name && previous.skipped === reason) this.state.attempts[this.state.attempts.length - 1] = attempt;
    else this.record(attempt);
    return { kind: "next" };
  }

  private record(attempt: RouteAttempt): RouteAttempt {
    this.state.attempts.push(attempt);
    this.deps.onEvent?.({ type: "attempt", attempt });
    return attempt;
  }

  private async recordLatency(model: RoutableModel, started: number, firstAt: number | undefined, outputTokens: number) {
    if (firstAt === undefined) return;
    const end = this.clock.now();
    await this.deps.store.recordLatency(
      stateKeysOf(model).latency,
      { ttftMs: firstAt - started, ...(outputTokens > 1 ? { msPerToken: (end - firstAt) / (outputTokens - 1) } : {}) },
      this.deps.latencyAlpha ?? DEFAULT_LATENCY_ALPHA,
    );
  }

  private async sleep(ms: number): Promise<void> {
    if (ms <= 0) return;
    try {
      await this.clock.sleep(ms, this.signal);
    } catch (error) {
      throw classifyError(error, this.signal).error;
    }
  }

  private throwIfAborted(): void {
    if (this.signal?.aborted === true) throw classifyError(this.signal.reason, this.signal).error;
  }

  private finalError(): LfError {
    const attempts = this.state.attempts;
    const summary = summarizeAttempts(attempts);
    const told = summarizeAttempts(attempts, "client");
    const limitedOnly = attempts.some((a) => a.skipped === "rate_limited") && !attempts.some((a) => a.outcome === "failed");
    if (limitedOnly) {
      const waits = attempts.filter((a) => a.skipped === "rate_limited").map((a) => a.retryAfterMs ?? 0);
      const retryAfterMs = Math.min(...waits);
      return new LfError("rate_limited", `Every model is over its limits: ${summary}`, { details: { retryAfterMs, attempts }, publicMessage: `Every model is over its limits: ${told}` });
    }
    if (attempts.length === 0) return new LfError("all_models_failed", "No model to route the request to.", { details: { attempts } });
    return new LfError("all_models_failed", `No model could answer: ${summary}`, { details: { attempts }, publicMessage: `No model could answer: ${told}` });
  }
}
