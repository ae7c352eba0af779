import { LfError, ProviderError, isAbortError } from "../../core/errors.js";
import { UnsupportedContentError } from "./convert-to-chat-history.js";
import { GgufFormatError } from "./gguf-header.js";

export const PROVIDER = "llamacpp";

export interface ErrorContext {
  modelId: string;
  path: string;
  signal?: AbortSignal | undefined;
}

function errnoCode(error: unknown): string | undefined {
  return error instanceof Error && "code" in error && typeof error.code === "string" ? error.code : undefined;
}

/**
 * Every failure of this provider as an `LfError`, naming the model file. A file that is missing or
 * malformed will not heal by retrying, so those are not retryable; running out of memory may.
 */
export function mapLlamaCppError(error: unknown, context: ErrorContext): LfError {
  if (context.signal?.aborted || isAbortError(error)) {
    return error instanceof LfError && error.code === "aborted" ? error : new LfError("aborted", "the request was aborted", { cause: error });
  }
  if (error instanceof ProviderError) return error;
  const base = { provider: PROVIDER, modelId: context.modelId, cause: error, details: { path: context.path } };
  if (error instanceof LfError) return new ProviderError(error.message, { ...base, code: error.code, isRetryable: false });

  const code = errnoCode(error);
  if (code === "ENOENT") return new ProviderError(`model file not found: ${context.path}`, { ...base, code: "model_not_found", isRetryable: false });
  if (code === "EISDIR") return new ProviderError(`model path is a directory, not a GGUF file: ${context.path}`, { ...base, code: "model_not_found", isRetryable: false });
  if (code === "EACCES" || code === "EPERM") return new ProviderError(`model file is not readable: ${context.path}`, { ...base, isRetryable: false });
  if (error instanceof GgufFormatError) {
    return new ProviderError(`malformed GGUF file ${context.path}: ${error.message}`, { ...base, isRetryable: false });
  }
  if (error instanceof UnsupportedContentError) {
    return new ProviderError(error.message, { ...base, code: "invalid_request", status: 400 });
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.name === "InsufficientMemoryError") {
    return new ProviderError(`not enough memory for ${context.path}: ${message}`, { ...base, code: "provider_unavailable", isRetryable: true });
  }
  return new ProviderError(`llama.cpp failed on ${context.path}: ${message}`, { ...base, isRetryable: false });
}
