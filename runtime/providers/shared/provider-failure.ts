import { LfError, ProviderError, type LfErrorCode } from "../../core/errors.js";
import { isUnreachableCode } from "./error-code.js";
import type { ProviderContext } from "./provider-context.js";
import { redactSecrets } from "./secrets.js";

/**
 * A failure in neutral terms. Each provider's error mapper turns its SDK's errors into one of these;
 * `providerError` then writes the one message and code for it, so every provider explains the same
 * failure the same way.
 */
export type Failure =
  /** The server answered with an error status. */
  | { kind: "status"; url: string; status: number; headers: Record<string, string>; message?: string; errorType?: string }
  /** No response: refused, DNS, reset before the headers. */
  | { kind: "connection"; url: string; code?: string; message?: string }
  | { kind: "timeout"; url: string }
  /** A body or stream frame that is not the JSON it should be. */
  | { kind: "malformed"; url: string; detail: string }
  /** The response started and ended (or broke off) before its terminator. */
  | { kind: "truncated"; url: string; detail: string }
  /** An error the server sent inside a 200 stream. */
  | { kind: "stream-error"; url: string; message: string; status?: number; headers: Record<string, string>; errorType?: string }
  | { kind: "unknown"; url: string; message: string };

export function providerError(context: ProviderContext, failure: Failure, cause?: unknown): ProviderError {
  const clean = (text: string) => redactSecrets(text, context.secrets);
  const build = (code: LfErrorCode, message: string, extra: Extra = {}) =>
    new ProviderError(clean(message), {
      publicMessage: clean(extra.publicMessage ?? message),
      provider: context.provider,
      modelId: context.modelId,
      url: failure.url,
      code,
      cause,
      ...withoutPublic(extra),
      ...(failure.kind === "status" || failure.kind === "stream-error" ? { details: errorDetails(failure) } : {}),
    });
  const who = context.label;
  const model = `model "${context.modelId}"`;

  switch (failure.kind) {
    case "connection": {
      const code = failure.code === undefined ? "" : ` (${failure.code})`;
      if (isUnreachableCode(failure.code) || failure.code === undefined) {
        const advice = context.unreachableAdvice ?? "is the server running, and is base_url right?";
        return build("provider_unreachable", `cannot reach ${who} at ${failure.url}${code}: ${advice}`, { isRetryable: true, publicMessage: `cannot reach ${who}${code}` });
      }
      return build("provider_unreachable", `the connection to ${who} at ${failure.url} was dropped before a response${code}`, {
        isRetryable: true,
        publicMessage: `the connection to ${who} was dropped before a response${code}`,
      });
    }
    case "timeout":
      return build("provider_timeout", `${who} did not answer in time (${failure.url})`, { isRetryable: true, publicMessage: `${who} did not answer in time` });
    case "malformed":
      return build("provider_error", `${who} sent malformed JSON for ${model} (${failure.url}): ${failure.detail}`, { isRetryable: false, publicMessage: `${who} sent a malformed response for ${model}` });
    case "truncated":
      return build("provider_error", `${who}'s response for ${model} was cut off (${failure.url}): ${failure.detail}`, { isRetryable: true, publicMessage: `${who}'s response for ${model} was cut off` });
    case "unknown":
      return build("provider_error", `${who} failed for ${model} (${failure.url}): ${failure.message}`, { isRetryable: false, publicMessage: `${who} failed for ${model}` });
    case "stream-error": {
      const upstream = brief(failure.message) || "no details";
      const status = failure.status;
      return build(status === 429 ? "rate_limited" : "provider_error", `${who} reported an error during the response for ${model}: ${upstream}`, {
        publicMessage: `${who} reported an error during the response for ${model}${status === undefined ? "" : ` (${status})`}`,
        headers: failure.headers,
        // Without a status the failure is on the server's side (overloaded, out of memory), so another try may work.
        isRetryable: status === undefined ? true : status === 408 || status === 409 || status === 429 || status >= 500,
        ...(status === undefined ? {} : { status }),
      });
    }
    case "status":
      return statusError(context, failure, build);
  }
}

interface Extra {
  status?: number;
  headers?: Record<string, string>;
  isRetryable?: boolean;
  /** Without the URL and the upstream's own words; default: the message. */
  publicMessage?: string;
}

type Build = (code: LfErrorCode, message: string, extra?: Extra) => ProviderError;

function withoutPublic(extra: Extra): Omit<Extra, "publicMessage"> {
  const { publicMessage: _public, ...rest } = extra;
  return rest;
}

function statusError(context: ProviderContext, failure: Extract<Failure, { kind: "status" }>, build: Build): ProviderError {
  const { status, headers, url } = failure;
  const who = context.label;
  const upstream = failure.message ? `: ${brief(failure.message)}` : "";
  const extra = { status, headers };
  const model = `model "${context.modelId}"`;
  if (status === 401) {
    return build("provider_error", `${who} rejected the API key for ${model} (401, ${url}): the key is missing or wrong; ${context.keyAdvice}`, {
      ...extra,
      publicMessage: `${who} rejected the API key for ${model} (401)`,
    });
  }
  if (status === 403) {
    return build("provider_error", `${who} refused access to ${model} (403, ${url}): the key is wrong or lacks permission for this model; ${context.keyAdvice}${upstream}`, {
      ...extra,
      publicMessage: `${who} refused access to ${model} (403)`,
    });
  }
  if (status === 404) {
    const advice = context.notFoundAdvice ?? "check the model id, and that base_url points at the API root";
    return build("model_not_found", `${model} was not found on ${who} (404, ${url}): ${advice}${upstream}`, { ...extra, publicMessage: `${model} was not found on ${who} (404)` });
  }
  if (status === 429) {
    const retryAfter = headers["retry-after"];
    const after = retryAfter === undefined ? "" : Number.isFinite(Number(retryAfter)) ? `; retry after ${retryAfter}s` : `; retry after ${retryAfter}`;
    return build("rate_limited", `${who} is rate limiting ${model} (429)${after}${upstream}`, { ...extra, publicMessage: `${who} is rate limiting ${model} (429)${after}` });
  }
  if (status === 400 || status === 413 || status === 422) {
    // The request's own fault: what the upstream says about it is what the client needs to fix it.
    return build("invalid_request", `${who} rejected the request for ${model} (${status})${upstream}`, extra);
  }
  if (status === 502 || status === 503 || status === 504 || status === 529) {
    return build("provider_unavailable", `${who} is unavailable (${status}, ${url})${upstream}`, { ...extra, publicMessage: `${who} is unavailable (${status})` });
  }
  if (status >= 500) return build("provider_error", `${who} failed with a server error (${status}, ${url})${upstream}`, { ...extra, publicMessage: `${who} failed with a server error (${status})` });
  return build("provider_error", `${who} answered ${status} for ${model} (${url})${upstream}`, { ...extra, publicMessage: `${who} answered ${status} for ${model}` });
}

function errorDetails(failure: Extract<Failure, { kind: "status" | "stream-error" }>): Record<string, unknown> {
  return failure.errorType === undefined ? {} : { errorType: failure.errorType };
}

export function abortedError(cause?: unknown): LfError {
  return cause instanceof LfError && cause.code === "aborted" ? cause : new LfError("aborted", "the request was aborted", { cause });
}

/** Upstream messages can be whole HTML pages from a proxy; a sentence or two is enough. */
function brief(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat;
}
