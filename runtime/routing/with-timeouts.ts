import { LfError, ProviderError, type Clock, type StreamPart } from "../core/index.js";
import type { TimeoutPolicy } from "./routable-model.js";

export type TimeoutPhase = "connect" | "first_token" | "idle" | "total";

export interface TimeoutOptions {
  provider: string;
  modelId: string;
  timeouts: TimeoutPolicy;
  clock: Clock;
  /** The client's signal: aborting it aborts the upstream call and ends the stream with `aborted`. */
  signal?: AbortSignal;
}

const TIMED_OUT = Symbol("timed-out");
// Abort reasons for the upstream call once the reader is done with it, built once: each `new` would
// capture a stack per request.
const STREAM_CLOSED = new LfError("aborted", "The stream was closed.");
const STREAM_ABANDONED = new LfError("aborted", "The stream was abandoned.");

interface Waiter {
  resolve(value: IteratorResult<StreamPart> | typeof TIMED_OUT): void;
  reject(error: unknown): void;
}

/**
 * Runs `call` with a signal of its own and watches it. `connect` runs until the provider has answered
 * (the adapter calls `onResponse` when its response headers are in; else its first part), `first_token`
 * until the first text or tool call, `idle` between two parts after that, `total` over everything. A
 * timeout aborts the upstream call and throws a retryable `provider_timeout`.
 *
 * One timer serves the whole call: it is armed for the nearest deadline and, when it fires early
 * (a part arrived meanwhile and moved the deadline on), armed again for what is left. A part costs
 * one promise, not a timer, an AbortController and listeners of its own; ending the call clears the
 * timer.
 */
export async function* withTimeouts(
  call: (signal: AbortSignal, onResponse: () => void) => AsyncIterable<StreamPart>,
  options: TimeoutOptions,
): AsyncGenerator<StreamPart, void, undefined> {
  const { clock, timeouts } = options;
  const upstream = new AbortController();
  const client = options.signal;
  const start = clock.now();
  const totalAt = start + (timeouts.total_ms ?? Infinity);
  const connectAt = start + (timeouts.connect_ms ?? Infinity);
  const firstTokenAt = start + (timeouts.first_token_ms ?? Infinity);
  const idleMs = timeouts.idle_ms ?? Infinity;
  let sawResult = false;
  let sawContent = false;
  let asked = start;
  let waiter: Waiter | undefined;
  let cancelTimer: (() => void) | undefined;
  let timerAt = Infinity;

  const nearestDeadline = (): [TimeoutPhase, number] =>
    nearest([
      ["total", totalAt],
      ["connect", sawResult ? Infinity : connectAt],
      ["first_token", sawContent ? Infinity : firstTokenAt],
      ["idle", sawContent ? asked + idleMs : Infinity],
    ]);
  const fire = () => {
    cancelTimer = undefined;
    timerAt = Infinity;
    // The reader holds a part: no deadline runs until it asks for the next one.
    if (waiter === undefined) return;
    const [, deadline] = nearestDeadline();
    if (clock.now() >= deadline) waiter.resolve(TIMED_OUT);
    else arm(deadline);
  };
  const arm = (at: number) => {
    if (!Number.isFinite(at) || timerAt <= at) return;
    cancelTimer?.();
    timerAt = at;
    cancelTimer = clock.timer(Math.max(0, at - clock.now()), fire);
  };
  const onClientAbort = () => {
    upstream.abort(client!.reason);
    // An adapter that ignores its signal must not keep a cancelled client waiting.
    waiter?.reject(cancelled(client!));
  };
  if (client?.aborted) upstream.abort(client.reason);
  else client?.addEventListener("abort", onClientAbort, { once: true });

  const onResponse = () => {
    sawResult = true;
  };
  const iterator = call(upstream.signal, onResponse)[Symbol.asyncIterator]();
  let pending: Promise<IteratorResult<StreamPart>> | undefined;
  let finished = false;
  try {
    while (true) {
      asked = clock.now();
      const [, deadline] = nearestDeadline();
      pending = iterator.next();
      const next = pending;
      let result: IteratorResult<StreamPart> | typeof TIMED_OUT;
      try {
        result = await new Promise<IteratorResult<StreamPart> | typeof TIMED_OUT>((resolve, reject) => {
          if (client?.aborted) return reject(cancelled(client));
          if (deadline <= asked) return resolve(TIMED_OUT);
          waiter = { resolve, reject };
          next.then(resolve, reject);
          arm(deadline);
        });
      } finally {
        waiter = undefined;
      }
      if (result === TIMED_OUT) {
        // The deadline that passed, which may not be the one nearest when the wait began (the
        // provider answered meanwhile, and `connect` gave way to `first_token`).
        const [phase, deadline] = nearestDeadline();
        const error = timeoutError(phase, deadline - (phase === "idle" ? asked : start), options);
        upstream.abort(error);
        throw error;
      }
      pending = undefined;
      if (result.done === true) {
        finished = true;
        return;
      }
      sawResult = true;
      if (result.value.type === "text-delta" || result.value.type === "tool-call") sawContent = true;
      yield result.value;
    }
  } finally {
    client?.removeEventListener("abort", onClientAbort);
    cancelTimer?.();
    cancelTimer = undefined;
    if (pending !== undefined) {
      // The upstream is still inside next(); it has been aborted and its late answer is dropped.
      pending.catch(() => undefined);
      upstream.abort(upstream.signal.reason ?? STREAM_ABANDONED);
    } else if (!finished && !upstream.signal.aborted) {
      // The reader stopped early: the upstream call is cancelled. After a complete answer there is
      // nothing left to cancel.
      upstream.abort(STREAM_CLOSED);
    }
    if (!finished) void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}

function timeoutError(phase: TimeoutPhase, limit: number, options: TimeoutOptions): ProviderError {
  return new ProviderError(`No ${phaseLabel(phase)} within ${limit}ms.`, {
    provider: options.provider,
    modelId: options.modelId,
    code: "provider_timeout",
    isRetryable: true,
    details: { phase, timeoutMs: limit },
  });
}

function cancelled(client: AbortSignal): LfError {
  return new LfError("aborted", "The request was cancelled by the client.", { cause: client.reason });
}

function nearest(deadlines: [TimeoutPhase, number][]): [TimeoutPhase, number] {
  return deadlines.reduce((best, entry) => (entry[1] < best[1] ? entry : best));
}

function phaseLabel(phase: TimeoutPhase): string {
  switch (phase) {
    case "connect":
      return "response from the provider";
    case "first_token":
      return "first token";
    case "idle":
      return "stream activity";
    case "total":
      return "complete answer";
  }
}

/** What a whole-answer call tells its watcher as it goes. */
export interface WholeCallWatch {
  onResponse: () => void;
  onOutput: () => void;
}

/**
 * Runs a call that reads a whole answer at once (`ModelAdapter.collect`) under the same deadlines as a
 * stream: `connect` until it reports the response, `first_token` until its first output, `idle` between
 * two reports of output, `total` over everything. One timer, re-armed lazily as in `withTimeouts`. A
 * timeout aborts the upstream call and rejects with a retryable `provider_timeout`; the client's signal
 * aborts it and rejects with `aborted`.
 */
export function watchWhole<T>(call: (signal: AbortSignal, watch: WholeCallWatch) => Promise<T>, options: TimeoutOptions): Promise<T> {
  const { clock, timeouts } = options;
  const client = options.signal;
  if (client?.aborted) return Promise.reject(cancelled(client));
  const upstream = new AbortController();
  const start = clock.now();
  const totalAt = start + (timeouts.total_ms ?? Infinity);
  const connectAt = start + (timeouts.connect_ms ?? Infinity);
  const firstTokenAt = start + (timeouts.first_token_ms ?? Infinity);
  const idleMs = timeouts.idle_ms ?? Infinity;
  let answered = false;
  let lastOutput: number | undefined;
  const nearestDeadline = (): [TimeoutPhase, number] =>
    nearest([
      ["total", totalAt],
      ["connect", answered || lastOutput !== undefined ? Infinity : connectAt],
      ["first_token", lastOutput !== undefined ? Infinity : firstTokenAt],
      ["idle", lastOutput !== undefined ? lastOutput + idleMs : Infinity],
    ]);
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let cancelTimer: (() => void) | undefined;
    const settle = (error: unknown, value?: T) => {
      if (settled) return;
      settled = true;
      cancelTimer?.();
      client?.removeEventListener("abort", onClientAbort);
      if (error === undefined) resolve(value as T);
      else reject(error);
    };
    const arm = () => {
      const [, at] = nearestDeadline();
      if (!Number.isFinite(at)) return;
      cancelTimer = clock.timer(Math.max(0, at - clock.now()), () => {
        cancelTimer = undefined;
        if (settled) return;
        const [now, deadline] = nearestDeadline();
        if (clock.now() < deadline) return arm();
        const error = timeoutError(now, now === "idle" ? idleMs : deadline - start, options);
        upstream.abort(error);
        settle(error);
      });
    };
    const onClientAbort = () => {
      upstream.abort(client!.reason);
      // An adapter that ignores its signal must not keep a cancelled client waiting.
      settle(cancelled(client!));
    };
    client?.addEventListener("abort", onClientAbort, { once: true });
    arm();
    const watch: WholeCallWatch = {
      onResponse: () => {
        answered = true;
      },
      onOutput: () => {
        lastOutput = clock.now();
      },
    };
    call(upstream.signal, watch).then(
      (value) => settle(undefined, value),
      (error: unknown) => settle(error ?? new Error("the call failed")),
    );
  });
}
