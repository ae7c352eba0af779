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

/**
 * Runs `call` with a signal of its own and watches it. `connect` runs until the adapter's first
 * result (response headers are not visible through the adapter interface), `first_token` until the
 * first text or tool call, `idle` between two parts, `total` over everything. A timeout aborts the
 * upstream call and throws a retryable `provider_timeout`.
 */
export async function* withTimeouts(
  call: (signal: AbortSignal) => AsyncIterable<StreamPart>,
  options: TimeoutOptions,
): AsyncGenerator<StreamPart, void, undefined> {
  const { clock, timeouts } = options;
  const upstream = new AbortController();
  const client = options.signal ?? new AbortController().signal;
  const forwardAbort = () => upstream.abort(client.reason);
  if (client.aborted) forwardAbort();
  else client.addEventListener("abort", forwardAbort, { once: true });

  const start = clock.now();
  const iterator = call(upstream.signal)[Symbol.asyncIterator]();
  let sawResult = false;
  let sawContent = false;
  let pending: Promise<IteratorResult<StreamPart>> | undefined;
  try {
    while (true) {
      const asked = clock.now();
      const [phase, deadline] = nearest([
        ["total", start + (timeouts.total_ms ?? Infinity)],
        ["connect", sawResult ? Infinity : start + (timeouts.connect_ms ?? Infinity)],
        ["first_token", sawContent ? Infinity : start + (timeouts.first_token_ms ?? Infinity)],
        ["idle", sawResult ? asked + (timeouts.idle_ms ?? Infinity) : Infinity],
      ]);
      pending = iterator.next();
      const result = await race(pending, deadline - asked, clock, client);
      if (result === TIMED_OUT) {
        const limit = deadline - (phase === "idle" ? asked : start);
        const error = new ProviderError(`No ${phaseLabel(phase)} within ${limit}ms.`, {
          provider: options.provider,
          modelId: options.modelId,
          code: "provider_timeout",
          isRetryable: true,
          details: { phase, timeoutMs: limit },
        });
        upstream.abort(error);
        throw error;
      }
      pending = undefined;
      if (result.done === true) return;
      sawResult = true;
      if (result.value.type === "text-delta" || result.value.type === "tool-call") sawContent = true;
      yield result.value;
    }
  } finally {
    client.removeEventListener("abort", forwardAbort);
    if (pending !== undefined) {
      // The upstream is still inside next(); it has been aborted and its late answer is dropped.
      pending.catch(() => undefined);
      upstream.abort(upstream.signal.reason ?? new LfError("aborted", "The stream was abandoned."));
    } else if (!upstream.signal.aborted) {
      upstream.abort(new LfError("aborted", "The stream was closed."));
    }
    void Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
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

async function race<T>(work: Promise<T>, ms: number, clock: Clock, client: AbortSignal): Promise<T | typeof TIMED_OUT> {
  const stop = new AbortController();
  let onAbort: (() => void) | undefined;
  const contenders: Promise<T | typeof TIMED_OUT>[] = [work];
  if (Number.isFinite(ms)) {
    contenders.push(
      clock.sleep(Math.max(0, ms), stop.signal).then(
        () => TIMED_OUT,
        () => new Promise<never>(() => undefined),
      ),
    );
  }
  // An adapter that ignores its signal must not keep a cancelled client waiting.
  contenders.push(
    new Promise<never>((_, reject) => {
      onAbort = () => reject(new LfError("aborted", "The request was cancelled by the client.", { cause: client.reason }));
      if (client.aborted) onAbort();
      else client.addEventListener("abort", onAbort, { once: true });
    }),
  );
  try {
    return await Promise.race(contenders);
  } finally {
    stop.abort();
    if (onAbort !== undefined) client.removeEventListener("abort", onAbort);
  }
}
