import Anthropic from "@anthropic-ai/sdk";
import { isAbortError, LfError, ProviderError } from "../../core/errors.js";
import { errorCode, isDroppedCode, isUnreachableCode } from "../shared/error-code.js";
import type { ProviderContext } from "../shared/provider-context.js";
import { abortedError, providerError } from "../shared/provider-failure.js";
import { responseHeaders } from "../shared/response-headers.js";
import { upstreamMessage } from "../shared/upstream-message.js";
import { UnsupportedImageTypeError } from "./convert-to-anthropic-messages.js";
import { AnthropicStreamTruncatedError } from "./parse-anthropic-stream.js";

/** Anthropic's error types, as the status each stands for: an error event in a stream has no status of its own. */
const STATUS_OF_TYPE: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

/** Any failure of a call through the Anthropic SDK as one of our errors; `url` is the endpoint called. */
export function mapAnthropicError(error: unknown, context: ProviderContext, url: string): LfError {
  if (error instanceof LfError) return error;
  if (error instanceof Anthropic.APIUserAbortError || isAbortError(error)) return abortedError(error);
  if (error instanceof UnsupportedImageTypeError) {
    return new ProviderError(error.message, { provider: context.provider, modelId: context.modelId, code: "invalid_request", status: 400, url, cause: error });
  }
  if (error instanceof Anthropic.APIConnectionTimeoutError) return providerError(context, { kind: "timeout", url }, error);
  if (error instanceof Anthropic.APIConnectionError) {
    const code = errorCode(error);
    return providerError(context, { kind: "connection", url, ...(code === undefined ? {} : { code }) }, error);
  }
  if (error instanceof Anthropic.APIError) {
    const headers = responseHeaders(error.headers);
    const message = upstreamMessage(error.error) ?? error.message.replace(/^\d{3}\s+/, "");
    const errorType = typeof error.type === "string" ? error.type : undefined;
    const typed = errorType === undefined ? {} : { errorType };
    if (error.status === undefined) {
      const status = errorType === undefined ? undefined : STATUS_OF_TYPE[errorType];
      return providerError(context, { kind: "stream-error", url, message, headers, ...typed, ...(status === undefined ? {} : { status }) }, error);
    }
    return providerError(context, { kind: "status", url, status: error.status, headers, message, ...typed }, error);
  }
  if (error instanceof SyntaxError) return providerError(context, { kind: "malformed", url, detail: error.message }, error);
  if (error instanceof AnthropicStreamTruncatedError) return providerError(context, { kind: "truncated", url, detail: error.message }, error);
  const code = errorCode(error);
  if (isDroppedCode(code) || isUnreachableCode(code) || (error instanceof TypeError && error.message === "terminated")) {
    return providerError(context, { kind: "truncated", url, detail: `the connection closed mid-stream${code ? ` (${code})` : ""}` }, error);
  }
  return providerError(context, { kind: "unknown", url, message: error instanceof Error ? error.message : String(error) }, error);
}
