import OpenAI from "openai";
import { isAbortError, LfError } from "../../core/errors.js";
import { errorCode, isDroppedCode, isUnreachableCode } from "../shared/error-code.js";
import type { ProviderContext } from "../shared/provider-context.js";
import { abortedError, providerError } from "../shared/provider-failure.js";
import { responseHeaders } from "../shared/response-headers.js";
import { upstreamMessage } from "../shared/upstream-message.js";
import { OpenAIStreamTruncatedError } from "./parse-openai-stream.js";

/** Any failure of a call through the OpenAI SDK as one of our errors; `url` is the endpoint called. */
export function mapOpenAIError(error: unknown, context: ProviderContext, url: string): LfError {
  if (error instanceof LfError) return error;
  if (error instanceof OpenAI.APIUserAbortError || isAbortError(error)) return abortedError(error);
  if (error instanceof OpenAI.APIConnectionTimeoutError) return providerError(context, { kind: "timeout", url }, error);
  if (error instanceof OpenAI.APIConnectionError) {
    return providerError(context, { kind: "connection", url, ...codeOf(error) }, error);
  }
  if (error instanceof OpenAI.APIError) {
    const headers = responseHeaders(error.headers);
    const message = upstreamMessage(error.error) ?? error.message.replace(/^\d{3}\s+/, "");
    const errorType = typeof error.type === "string" ? error.type : undefined;
    if (error.status === undefined) return providerError(context, { kind: "stream-error", url, message, headers, ...(errorType ? { errorType } : {}) }, error);
    return providerError(context, { kind: "status", url, status: error.status, headers, message, ...(errorType ? { errorType } : {}) }, error);
  }
  if (error instanceof SyntaxError) return providerError(context, { kind: "malformed", url, detail: error.message }, error);
  if (error instanceof OpenAIStreamTruncatedError) return providerError(context, { kind: "truncated", url, detail: error.message }, error);
  const code = errorCode(error);
  if (isDroppedCode(code) || isUnreachableCode(code) || (error instanceof TypeError && error.message === "terminated")) {
    return providerError(context, { kind: "truncated", url, detail: `the connection closed mid-stream${code ? ` (${code})` : ""}` }, error);
  }
  return providerError(context, { kind: "unknown", url, message: error instanceof Error ? error.message : String(error) }, error);
}

function codeOf(error: unknown): { code?: string } {
  const code = errorCode(error);
  return code === undefined ? {} : { code };
}
