import type { Clock } from "../core/clock.js";
import type { ProviderName } from "./api-key-sources.js";
import type { GpuLayers } from "./llamacpp/model-cache.js";
import type { OpenAIAdapterOptions } from "./openai/openai-adapter.js";

/** One model's provider settings, plain data as the config resolves them. */
export interface AdapterSettings {
  provider: ProviderName;
  /** The provider's model id; for llamacpp, the path of the GGUF file. */
  modelId: string;
  baseUrl?: string;
  apiKey?: string;
  headers?: Record<string, string>;
  /** OpenAI-compatible providers only: fields added to every request body. */
  extraBody?: Record<string, unknown>;
  llamacpp?: { maxContexts: number; gpuLayers?: GpuLayers; threads?: number };
}

/** What tests and embedders may swap: the HTTP client and the clock. */
export interface AdapterDependencies {
  fetch?: typeof fetch;
  clock?: Clock;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** The options every HTTP provider's adapter takes, from a model's settings. */
export function commonAdapterOptions(settings: AdapterSettings, env: Env, dependencies: AdapterDependencies) {
  return {
    modelId: settings.modelId,
    ...(settings.baseUrl === undefined ? {} : { baseUrl: settings.baseUrl }),
    ...(settings.apiKey === undefined ? {} : { apiKey: settings.apiKey }),
    ...(settings.headers === undefined ? {} : { headers: settings.headers }),
    ...(dependencies.fetch === undefined ? {} : { fetch: dependencies.fetch }),
    ...(dependencies.clock === undefined ? {} : { clock: dependencies.clock }),
    env,
  };
}

export function openAIAdapterOptions(settings: AdapterSettings, env: Env, dependencies: AdapterDependencies): OpenAIAdapterOptions {
  const provider = settings.provider as OpenAIAdapterOptions["provider"] & string;
  return { ...commonAdapterOptions(settings, env, dependencies), provider, ...(settings.extraBody === undefined ? {} : { extraBody: settings.extraBody }) };
}
