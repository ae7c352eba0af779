import { isAbortError, LfError } from "../../core/errors.js";
import { errorCode, isDroppedCode, isUnreachableCode } from "../shared/error-code.js";
import type { ProviderContext } from "../shared/provider-context.js";
import { abortedError, providerError } from "../shared/provider-failure.js";
import { responseHeaders } from "../shared/response-headers.js";
import { UpstreamConnectionError } from "../shared/upstream-transport.js";
import { OpenAIStatusError, OpenAIStreamError } from "./openai-wire-errors.js";
import { OpenAIStreamTruncatedError } from "./parse-openai-stream.js";

/** Any failure of a call to an OpenAI-compatible server as one of our errors; `url` is the endpoint called. */
export function mapOpenAIError(error: unknown, context: ProviderContext, url: string): LfError {
  if (error instanceof LfError) return error;
  const code = errorCode(error);
  if (isAbortError(error) || code === "UND_ERR_ABORTED") return abortedError(error);
  if (error instanceof UpstreamConnectionError) return providerError(context, { kind: "connection", url, ...(code === undefined ? {} : { code }) }, error);
  if (error instanceof OpenAIStatusError) {
    const failure = { kind: "status" as const, url, status: error.status, headers: responseHeaders(error.headers), ...(error.upstreamMessage === undefined ? {} : { message: error.upstreamMessage }) };
    return providerError(context, error.errorType === undefined ? failure : { ...failure, errorType: error.errorType }, error);
  }
  if (error instanceof OpenAIStreamError) {
    const failure = { kind: "stream-error" as const, url, message: error.upstreamMessage, headers: responseHeaders(error.headers) };
    return providerError(context, error.errorType === undefined ? failure : { ...failure, errorType: error.errorType }, error);
  }
  if (error instanceof SyntaxError) return providerError(context, { kind: "malformed", url, detail: error.message }, error);
  if (error instanceof OpenAIStreamTruncatedError) return providerError(context, { kind: "truncated", url, detail: error.message }, error);
  if (isDroppedCode(code) || isUnreachableCode(code) || (error instanceof TypeError && error.message === "terminated")) {
    return providerError(context, { kind: "truncated", url, detail: `the connection closed mid-stream${code ? ` (${code})` : ""}` }, error);
  }
  return providerError(context, { kind: "unknown", url, message: error instanceof Error ? error.message : String(error) }, error);
}
