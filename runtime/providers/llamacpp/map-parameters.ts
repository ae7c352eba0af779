import type { LLamaChatGenerateResponseOptions } from "node-llama-cpp";
import type { ModelParameters } from "../../core/chat.js";

export type SamplingOptions = Pick<
  LLamaChatGenerateResponseOptions,
  "temperature" | "topP" | "topK" | "minP" | "seed" | "maxTokens" | "repeatPenalty" | "customStopTriggers"
>;

function number(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/**
 * Our `model_api_parameters` as node-llama-cpp sampling options. What is not set is left out, so the
 * library's own defaults apply (greedy decoding when no temperature is given). `num_ctx` is not a
 * sampling option: the adapter uses it to pick the context size.
 */
export function mapParameters(parameters: ModelParameters): SamplingOptions {
  const options: SamplingOptions = {};
  const temperature = number(parameters.temperature);
  if (temperature !== undefined) options.temperature = temperature;
  const topP = number(parameters.top_p);
  if (topP !== undefined) options.topP = topP;
  const topK = number(parameters.top_k);
  if (topK !== undefined) options.topK = topK;
  const minP = number(parameters.min_p);
  if (minP !== undefined) options.minP = minP;
  const seed = number(parameters.seed);
  if (seed !== undefined) options.seed = seed;
  const maxTokens = number(parameters.max_tokens);
  if (maxTokens !== undefined) options.maxTokens = maxTokens;
  if (Array.isArray(parameters.stop) && parameters.stop.length > 0) {
    options.customStopTriggers = parameters.stop.filter((stop) => typeof stop === "string" && stop !== "");
  }

  const penalty = number(parameters.repeat_penalty);
  const frequencyPenalty = number(parameters.frequency_penalty);
  const presencePenalty = number(parameters.presence_penalty);
  if (penalty !== undefined || frequencyPenalty !== undefined || presencePenalty !== undefined) {
    options.repeatPenalty = {
      ...(penalty === undefined ? {} : { penalty }),
      ...(frequencyPenalty === undefined ? {} : { frequencyPenalty }),
      ...(presencePenalty === undefined ? {} : { presencePenalty }),
    };
  }
  return options;
}

export function contextSizeOf(parameters: ModelParameters): number | undefined {
  const size = number(parameters.num_ctx);
  return size !== undefined && size > 0 ? Math.floor(size) : undefined;
}
