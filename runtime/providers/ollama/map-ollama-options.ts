import type { Options } from "ollama";
import type { ModelParameters } from "../../core/chat.js";

/** Our parameter names as Ollama's `options`; Ollama takes every known parameter, under its own names. */
const OPTION_NAMES = {
  max_tokens: "num_predict",
  temperature: "temperature",
  top_p: "top_p",
  top_k: "top_k",
  seed: "seed",
  num_ctx: "num_ctx",
  repeat_penalty: "repeat_penalty",
  frequency_penalty: "frequency_penalty",
  presence_penalty: "presence_penalty",
} as const satisfies Partial<Record<keyof ModelParameters, keyof Options>>;

export function mapOllamaOptions(parameters: ModelParameters): Partial<Options> {
  const options: Partial<Options> = {};
  for (const [ours, theirs] of Object.entries(OPTION_NAMES) as [keyof typeof OPTION_NAMES, keyof Options][]) {
    const value = parameters[ours];
    if (typeof value === "number" && Number.isFinite(value)) (options as Record<string, unknown>)[theirs] = value;
  }
  if (Array.isArray(parameters.stop) && parameters.stop.length > 0) options.stop = parameters.stop;
  return options;
}
