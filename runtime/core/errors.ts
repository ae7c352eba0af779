/**
 * One error family for everything `lf` raises. `code` is a stable string that callers switch on;
 * the message is for people. Mapping an error to an HTTP body or an exit code happens once, at the edge.
 */
export type LfErrorCode =
  | "config_invalid"
  | "model_not_found"
  | "project_not_found"
  | "provider_error"
  | "provider_unreachable"
  | "provider_timeout"
  | "provider_unavailable"
  | "invalid_request"
  | "rate_limited"
  | "budget_exceeded"
  | "all_models_failed"
  | "tool_error"
  | "tools_unavailable"
  | "aborted"
  | "internal";

export interface LfErrorOptions {
  cause?: unknown;
  /** Extra structured detail that is safe to show (never a secret). */
  details?: Record<string, unknown>;
  /**
   * What a client of the HTTP API is told, when it must be less than `message`: no upstream URL, no
   * text an upstream wrote (which may be its internals). The full message goes to the log.
   */
  publicMessage?: string;
}

export class LfError extends Error {
  readonly code: LfErrorCode;
  readonly details: Record<string, unknown> | undefined;
  /** For clients; the full `message` is for the log and the CLI. */
  readonly publicMessage: string;

  constructor(code: LfErrorCode, message: string, options: LfErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "LfError";
    this.code = code;
    this.details = options.details;
    this.publicMessage = options.publicMessage ?? message;
  }
}

/** What a client may be told of any error: an `LfError`'s public message, else nothing of its text. */
export function publicMessageOf(error: unknown): string {
  return error instanceof LfError ? error.publicMessage : "internal error";
}

export interface ProviderErrorOptions extends LfErrorOptions {
  provider: string;
  modelId: string;
  status?: number;
  headers?: Record<string, string>;
  /** Overrides the default that is derived from the status. */
  isRetryable?: boolean;
  /** The URL that was called, with any credentials removed. */
  url?: string;
  code?: LfErrorCode;
}

/**
 * An upstream failure. Retryability is decided here, once, from the status or the failure kind:
 * connection errors, timeouts, 408, 409, 429 and 5xx are retryable; other 4xx are not.
 */
export class ProviderError extends LfError {
  readonly provider: string;
  readonly modelId: string;
  readonly status: number | undefined;
  readonly headers: Record<string, string>;
  readonly isRetryable: boolean;
  readonly url: string | undefined;

  constructor(message: string, options: ProviderErrorOptions) {
    super(options.code ?? "provider_error", message, options);
    this.name = "ProviderError";
    this.provider = options.provider;
    this.modelId = options.modelId;
    this.status = options.status;
    this.headers = options.headers ?? {};
    this.url = options.url;
    this.isRetryable = options.isRetryable ?? isRetryableStatus(options.status);
  }

  /** Milliseconds the upstream asked us to wait, from `Retry-After` (seconds or HTTP date). */
  retryAfterMs(now: number = Date.now()): number | undefined {
    return parseRetryAfter(this.headers["retry-after"] ?? this.headers["Retry-After"], now);
  }
}

export function isRetryableStatus(status: number | undefined): boolean {
  if (status === undefined) return true; // no status: the connection itself failed
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function isAbortError(error: unknown): boolean {
  return (
    (error instanceof LfError && error.code === "aborted") ||
    (error instanceof Error && (error.name === "AbortError" || error.name === "APIUserAbortError"))
  );
}
