import { LfError } from "../core/index.js";

export function abortError(signal: AbortSignal): LfError {
  return new LfError("aborted", "The request was aborted", { cause: signal.reason });
}

/**
 * Waits for a shared promise on behalf of one caller: that caller's abort ends its wait only,
 * so a connect or tool listing that other requests also wait for keeps going.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
