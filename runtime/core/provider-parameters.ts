/**
 * Which `model_api_parameters` each provider takes. The config check warns about the others (a parameter
 * is never silently dropped); the providers map the ones listed here to their own wire names.
 */
export const KNOWN_PARAMETERS = [
  "temperature",
  "max_tokens",
  "top_p",
  "top_k",
  "stop",
  "seed",
  "num_ctx",
  "repeat_penalty",
  "frequency_penalty",
  "presence_penalty",
] as const;

export type KnownParameter = (typeof KNOWN_PARAMETERS)[number];

export type ProviderKind = "ollama" | "openai" | "anthropic" | "llamacpp";

export const PROVIDER_PARAMETERS: Record<ProviderKind, ReadonlySet<KnownParameter>> = {
  ollama: new Set(KNOWN_PARAMETERS),
  openai: new Set(["temperature", "max_tokens", "top_p", "stop", "seed", "frequency_penalty", "presence_penalty"]),
  anthropic: new Set(["temperature", "max_tokens", "top_p", "top_k", "stop"]),
  llamacpp: new Set(KNOWN_PARAMETERS),
};

/** OpenAI-compatible servers accept extra body fields, so unknown parameters pass through there. */
export function passesUnknownParameters(kind: ProviderKind): boolean {
  return kind === "openai";
}
