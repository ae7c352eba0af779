import { LfError, ProviderError, redactSecrets, type LfErrorCode, type RouteAttempt } from "../index.js";
import { ApiError } from "../wires/api-error.js";
import type { MappedError } from "../wires/mapped-error.js";
import { openAIErrorBody, type ErrorBody } from "../wires/openai-chat/error-body.js";

export type { ErrorBody };

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: ErrorBody;
}

/**
 * The one mapping from errors to HTTP. Every status a runtime error can produce is decided here, and
 * every message passes through `redactSecrets` so no key reaches a client. Errors that are neither
 * ours nor the HTTP layer's become a bare 500: their messages and stacks are not for clients. Each wire
 * writes the result in its own shape.
 */
export function mapError(error: unknown, secrets: ReadonlyArray<string> = []): MappedError {
  if (error instanceof ApiError) {
    return { status: error.status, headers: { ...error.headers }, message: redactSecrets(error.message, secrets), type: error.type, code: error.code, param: error.param };
  }
  if (!(error instanceof LfError)) {
    return { status: 500, headers: {}, message: "Internal server error.", type: "server_error", code: "internal", param: null };
  }
  const mapped = STATUS[error.code](error);
  const headers: Record<string, string> = {};
  const retryAfterMs = retryAfterOf(error);
  if (retryAfterMs !== undefined && (mapped.status === 429 || mapped.status === 503)) headers["retry-after"] = String(Math.max(1, Math.ceil(retryAfterMs / 1000)));
  const message = error.code === "internal" ? "Internal server error." : redactSecrets(error.publicMessage, secrets);
  return { status: mapped.status, headers, message, type: mapped.type, code: error.code, param: paramOf(error) };
}

/** The mapping in OpenAI's error shape, which every route but another wire's answers in. */
export function errorResponse(error: unknown, secrets: ReadonlyArray<string> = []): ErrorResponse {
  const mapped = mapError(error, secrets);
  return { status: mapped.status, headers: mapped.headers, body: openAIErrorBody(mapped) };
}

/** The request field at fault: named by the error's `details.param`, or implied by its code. */
function paramOf(error: LfError): string | null {
  const param = error.details?.param;
  if (typeof param === "string") return param;
  return error.code === "model_not_found" ? "model" : null;
}

export function errorBody(error: unknown, secrets: ReadonlyArray<string> = []): ErrorBody {
  return errorResponse(error, secrets).body;
}

type Mapping = (error: LfError) => { status: number; type: string };
const fixed = (status: number, type: string): Mapping => () => ({ status, type });

const STATUS: Record<LfErrorCode, Mapping> = {
  invalid_request: fixed(400, "invalid_request_error"),
  model_not_found: fixed(404, "not_found_error"),
  project_not_found: fixed(404, "not_found_error"),
  rate_limited: fixed(429, "rate_limit_error"),
  budget_exceeded: fixed(429, "rate_limit_error"),
  provider_error: fixed(502, "upstream_error"),
  provider_unreachable: fixed(502, "upstream_error"),
  provider_timeout: fixed(504, "upstream_error"),
  provider_unavailable: fixed(503, "upstream_error"),
  all_models_failed: (error) => ({ status: allFailedStatus(attemptsOf(error)), type: "upstream_error" }),
  tool_error: fixed(502, "upstream_error"),
  tools_unavailable: fixed(503, "upstream_error"),
  config_invalid: fixed(503, "server_error"),
  // The client has gone; the status only reaches the log.
  aborted: fixed(499, "client_closed_request"),
  internal: fixed(500, "server_error"),
};

/**
 * 504 when every call timed out, 502 when some call failed, 503 when no call was made at all (every
 * model skipped: circuits open, probes out, constraints).
 */
function allFailedStatus(attempts: readonly RouteAttempt[]): number {
  // A model passed over because a required MCP server is down was not called.
  const calls = attempts.filter((a) => a.outcome === "failed" && a.code !== "tools_unavailable");
  if (calls.length === 0) return 503;
  if (calls.every((a) => a.code === "provider_timeout")) return 504;
  return 502;
}

function attemptsOf(error: LfError): readonly RouteAttempt[] {
  const attempts = error.details?.attempts;
  return Array.isArray(attempts) ? (attempts as RouteAttempt[]) : [];
}

function retryAfterOf(error: LfError): number | undefined {
  const detail = error.details?.retryAfterMs;
  if (typeof detail === "number" && Number.isFinite(detail)) return detail;
  if (error instanceof ProviderError) return error.retryAfterMs();
  if (error.code === "all_models_failed") {
    const waits = attemptsOf(error).map((a) => a.retryAfterMs).filter((ms): ms is number => ms !== undefined);
    return waits.length > 0 ? Math.min(...waits) : undefined;
  }
  return undefined;
}
