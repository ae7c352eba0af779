import type { LfError } from "../../core/errors.js";
import type { StreamPart } from "../../core/stream-part.js";
import { abortedError } from "./provider-failure.js";

/**
 * The `generate` contract, once for every HTTP provider: every failure is thrown, as one of our errors
 * (`aborted` when the caller's signal fired), and nothing is called once the signal has fired.
 */
export async function runWhole(signal: AbortSignal | undefined, toError: (error: unknown) => LfError, call: () => Promise<StreamPart[]>): Promise<StreamPart[]> {
  try {
    if (signal?.aborted) throw abortedError(signal.reason);
    return await call();
  } catch (error) {
    throw signal?.aborted ? abortedError(error) : toError(error);
  }
}

/** A parser written for a stream, run over one whole answer. */
export async function partsOf(parts: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const out: StreamPart[] = [];
  for await (const part of parts) out.push(part);
  return out;
}
