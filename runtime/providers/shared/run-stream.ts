import { LfError } from "../../core/errors.js";
import type { StreamPart } from "../../core/stream-part.js";
import { abortedError } from "./provider-failure.js";

export interface RunStreamOptions {
  /** The caller's signal. */
  signal: AbortSignal | undefined;
  /** Opens the upstream call and parses it; `signal` also fires when the consumer stops early. */
  open: (signal: AbortSignal) => AsyncIterable<StreamPart>;
  toError: (error: unknown) => LfError;
  /**
   * `open`'s iterable stops its upstream call itself when it is left early (a `for await` over an undici
   * body destroys it), so `open` gets the caller's signal as it is: no controller and listener per call.
   */
  cancelsItself?: boolean;
}

/**
 * The stream contract, once for every HTTP provider: a failure before the first output part is thrown
 * (the caller can still fall back); after it, the failure becomes an `error` part and the stream ends.
 * Leaving early (break, return, abort) aborts the upstream request, so no connection is left streaming.
 */
export async function* runStream({ signal, open, toError, cancelsItself = false }: RunStreamOptions): AsyncGenerator<StreamPart> {
  // One controller for the call, fed by the caller's signal: cheaper than `AbortSignal.any` per call.
  const local = cancelsItself ? undefined : new AbortController();
  const forward = () => local!.abort(signal!.reason);
  if (local !== undefined) signal?.addEventListener("abort", forward, { once: true });
  let started = false;
  let finished = false;
  try {
    if (signal?.aborted) throw abortedError(signal.reason);
    for await (const part of open(local?.signal ?? signal ?? NEVER)) {
      if (part.type === "text-delta" || part.type === "tool-call") started = true;
      yield part;
    }
    // The SDKs end a stream quietly when their signal fires; a cancelled call must not pass for a finished one.
    if (signal?.aborted) throw abortedError(signal.reason);
    finished = true;
  } catch (error) {
    const failure = signal?.aborted ? abortedError(error) : toError(error);
    if (!started) throw failure;
    yield { type: "error", error: failure };
  } finally {
    if (local !== undefined) {
      signal?.removeEventListener("abort", forward);
      // A complete answer leaves nothing to cancel; any other ending stops the upstream request.
      if (!finished && !local.signal.aborted) local.abort(CONSUMER_LEFT);
    }
  }
}

const CONSUMER_LEFT = new LfError("aborted", "The consumer stopped reading.");
const NEVER = new AbortController().signal;
