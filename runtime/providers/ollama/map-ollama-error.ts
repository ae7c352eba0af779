import { isAbortError, LfError, ProviderError } from "../../core/errors.js";
import { errorCode, isDroppedCode } from "../shared/error-code.js";
import type { ProviderContext } from "../shared/provider-context.js";
import { abortedError, providerError } from "../shared/provider-failure.js";
import { upstreamMessage } from "../shared/upstream-message.js";
import { UnknownToolChoiceError } from "./build-ollama-request.js";
import { UnsupportedImageError } from "./convert-to-ollama-messages.js";
import { MalformedLineError, type OllamaExchange } from "./ollama-exchange.js";

/** The stream ended without its `done: true` line. */
export class OllamaStreamTruncatedError extends Error {
  constructor() {
    super("the stream ended without a done line");
    this.name = "OllamaStreamTruncatedError";
  }
}

/** Any failure of a call through the `ollama` client, read with what the exchange saw on the wire. */
export function mapOllamaError(error: unknown, context: ProviderContext, url: string, exchange: OllamaExchange | undefined): LfError {
  if (error instanceof LfError) return error;
  if (isAbortError(error)) return abortedError(error);
  if (error instanceof UnsupportedImageError || error instanceof UnknownToolChoiceError) {
    return new ProviderError(error.message, { provider: context.provider, modelId: context.modelId, code: "invalid_request", status: 400, url, cause: error });
  }
  const headers = exchange?.headers ?? {};
  if (isResponseError(error)) {
    // `error` is whatever the body said: Ollama's own `{"error": "..."}` text, or another server's JSON object.
    const message = upstreamMessage(error.error);
    return providerError(context, { kind: "status", url, status: error.status_code, headers, ...(message === undefined ? {} : { message }) }, error);
  }
  if (error instanceof SyntaxError) return providerError(context, { kind: "malformed", url, detail: error.message }, error);
  if (error instanceof MalformedLineError) return providerError(context, { kind: "malformed", url, detail: error.message }, error);
  if (exchange?.streamError !== undefined) return providerError(context, { kind: "stream-error", url, message: exchange.streamError, headers }, error);
  if (error instanceof OllamaStreamTruncatedError || (error instanceof Error && error.message.startsWith("Did not receive done"))) {
    return providerError(context, { kind: "truncated", url, detail: "the stream ended without a done line" }, error);
  }
  const code = errorCode(error);
  if (exchange?.status === undefined && error instanceof TypeError) {
    return providerError(context, { kind: "connection", url, ...(code === undefined ? {} : { code }) }, error);
  }
  if (isDroppedCode(code) || (error instanceof TypeError && error.message === "terminated")) {
    return providerError(context, { kind: "truncated", url, detail: `the connection closed mid-stream${code ? ` (${code})` : ""}` }, error);
  }
  return providerError(context, { kind: "unknown", url, message: error instanceof Error ? error.message : String(error) }, error);
}

function isResponseError(error: unknown): error is Error & { error: unknown; status_code: number } {
  return error instanceof Error && error.name === "ResponseError" && typeof (error as { status_code?: unknown }).status_code === "number";
}
