import { isAbortError, LfError, ProviderError, type LfErrorCode } from "../core/index.js";

/**
 * - `retry`: the same model may answer if asked again (connection, timeout, 408, 409, 429, 5xx).
 * - `next`: this model cannot answer, another might (401, 403, 404, other refusals).
 * - `stop`: the request itself is wrong; no model will take it (400, 422).
 * - `abort`: the client went away; nothing more is tried.
 */
export type ErrorAction = "retry" | "next" | "stop" | "abort";

export interface ErrorClass {
  action: ErrorAction;
  /** Whether the failure says something about the model's health (counts for its circuit breaker). */
  countsAsFailure: boolean;
  code: LfErrorCode;
  status: number | undefined;
  /** The error as one of ours, ready for an `error` part or an aggregate message. */
  error: LfError;
}

const STOP_STATUSES = new Set([400, 422]);
const AUTH_STATUSES = new Set([401, 403, 404]);
const CONNECTION_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/** Decides once, from the error's type, status and code (never its message), what happens next. */
export function classifyError(error: unknown, clientSignal?: AbortSignal): ErrorClass {
  if (clientSignal?.aborted === true) {
    return { action: "abort", countsAsFailure: false, code: "aborted", status: undefined, error: abortedError(error) };
  }
  if (error instanceof ProviderError) {
    const status = error.status;
    const base = { code: error.code, status, error };
    if (status !== undefined && STOP_STATUSES.has(status)) return { ...base, action: "stop", countsAsFailure: false };
    if (status !== undefined && AUTH_STATUSES.has(status)) return { ...base, action: "next", countsAsFailure: true };
    if (error.isRetryable) return { ...base, action: "retry", countsAsFailure: true };
    return { ...base, action: "next", countsAsFailure: false };
  }
  if (error instanceof LfError) {
    const base = { code: error.code, status: undefined, error };
    switch (error.code) {
      case "aborted":
        // Not the client's signal: an upstream library gave up on its own, which is a connection failure.
        return { ...base, action: "retry", countsAsFailure: true };
      case "invalid_request":
        return { ...base, action: "stop", countsAsFailure: false };
      case "provider_timeout":
      case "provider_unreachable":
      case "provider_unavailable":
      case "rate_limited":
        return { ...base, action: "retry", countsAsFailure: true };
      default:
        return { ...base, action: "next", countsAsFailure: false };
    }
  }
  if (isAbortError(error) || isConnectionError(error)) {
    const wrapped = new LfError("provider_unreachable", describe(error), { cause: error });
    return { action: "retry", countsAsFailure: true, code: wrapped.code, status: undefined, error: wrapped };
  }
  const wrapped = new LfError("provider_error", describe(error), { cause: error });
  return { action: "next", countsAsFailure: true, code: wrapped.code, status: undefined, error: wrapped };
}

function isConnectionError(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
  }
  return false;
}

function abortedError(error: unknown): LfError {
  if (error instanceof LfError && error.code === "aborted") return error;
  return new LfError("aborted", "The request was cancelled by the client.", error === undefined ? {} : { cause: error });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
