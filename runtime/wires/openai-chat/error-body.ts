import type { MappedError } from "../mapped-error.js";

export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** OpenAI's error shape. */
export function openAIErrorBody(mapped: MappedError): ErrorBody {
  return { error: { message: mapped.message, type: mapped.type, param: mapped.param, code: mapped.code } };
}
