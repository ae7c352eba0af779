import type { LfError } from "../../core/errors.js";
import type { StreamPart } from "../../core/stream-part.js";
import { abortedError } from "./provider-failure.js";

export interface RunStreamOptions {
  /** The caller's signal. */
  signal: AbortSignal | undefined;
  /** Opens the upstream call and parses it; `signal` also fires when the consumer stops early. */
  open: (signal: AbortSignal) => AsyncIterable<StreamPart>;
  toError: (error: unknown) => LfError;
}

/**
 * The stream contract, once for every HTTP provider: a failure before the first output part is thrown
 * (the caller can still fall back); after it, the failure becomes an `error` part and the stream ends.
 * Leaving early (break, return, abort) aborts the upstream request, so no connection is left streaming.
 */
export async function* runStream({ signal, open, toError }: RunStreamOptions): AsyncGenerator<StreamPart> {
  const local = new AbortController();
  const upstream = signal === undefined ? local.signal : AbortSignal.any([signal, local.signal]);
  let started = false;
  try {
    if (signal?.aborted) throw abortedError(signal.reason);
    for await (const part of open(upstream)) {
      if (part.type === "text-delta" || part.type === "tool-call") started = true;
      yield part;
    }
    // The SDKs end a stream quietly when their signal fires; a cancelled call must not pass for a finished one.
    if (signal?.aborted) throw abortedError(signal.reason);
  } catch (error) {
    const failure = signal?.aborted ? abortedError(error) : toError(error);
    if (!started) throw failure;
    yield { type: "error", error: failure };
  } finally {
    local.abort();
  }
}
