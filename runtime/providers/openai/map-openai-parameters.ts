import type { ModelParameters } from "../../core/chat.js";
import { KNOWN_PARAMETERS, PROVIDER_PARAMETERS, type KnownParameter } from "../../core/provider-parameters.js";

const KNOWN = new Set<string>(KNOWN_PARAMETERS);
const TAKEN = PROVIDER_PARAMETERS.openai;

/** Fields the adapter owns: a parameter or extra_body that set them would break the call itself. */
export const RESERVED_FIELDS = new Set(["model", "messages", "stream", "stream_options", "tools", "tool_choice", "response_format"]);

export interface OpenAIParameterOptions {
  /**
   * api.openai.com has replaced `max_tokens` with `max_completion_tokens` (its reasoning models refuse the
   * old name); compatible servers mostly know only `max_tokens`.
   */
  maxTokensField: "max_tokens" | "max_completion_tokens";
}

/**
 * Known parameters keep their OpenAI names (the ones OpenAI lacks are left out: the config has warned);
 * unknown ones pass through as extra body fields, which OpenAI-compatible servers accept.
 */
export function mapOpenAIParameters(parameters: ModelParameters, options: OpenAIParameterOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parameters)) {
    if (value === undefined || RESERVED_FIELDS.has(key)) continue;
    if (!KNOWN.has(key)) {
      body[key] = value;
      continue;
    }
    if (!TAKEN.has(key as KnownParameter)) continue;
    if (key === "max_tokens") body[options.maxTokensField] = value;
    else if (key === "stop") {
      if (Array.isArray(value) && value.length > 0) body.stop = value;
    } else body[key] = value;
  }
  return body;
}
