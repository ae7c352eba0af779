import type { Clock } from "../core/clock.js";
import { LfError } from "../core/errors.js";
import type { ModelAdapter } from "../core/model-adapter.js";
import { ANTHROPIC_DEFAULT_BASE_URL, createAnthropicAdapter } from "./anthropic/index.js";
import { API_KEY_SOURCES, resolveApiKey, type ProviderName } from "./api-key-sources.js";
import { createLlamaCppAdapter, type GpuLayers } from "./llamacpp/index.js";
import { createOllamaAdapter, resolveOllamaHost } from "./ollama/index.js";
import { createOpenAIAdapter, OPENAI_DEFAULT_BASE_URLS } from "./openai/index.js";
import { maskSecret } from "./shared/secrets.js";

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

/**
 * The adapter for one model. `env` supplies OPENAI_API_KEY, ANTHROPIC_API_KEY and OLLAMA_HOST; nothing
 * is read from `process.env` here, so the caller decides which environment counts.
 */
export function createAdapter(settings: AdapterSettings, env: Env = {}, dependencies: AdapterDependencies = {}): ModelAdapter {
  const common = {
    modelId: settings.modelId,
    ...(settings.baseUrl === undefined ? {} : { baseUrl: settings.baseUrl }),
    ...(settings.apiKey === undefined ? {} : { apiKey: settings.apiKey }),
    ...(settings.headers === undefined ? {} : { headers: settings.headers }),
    ...(dependencies.fetch === undefined ? {} : { fetch: dependencies.fetch }),
    ...(dependencies.clock === undefined ? {} : { clock: dependencies.clock }),
    env,
  };
  switch (settings.provider) {
    case "openai":
    case "universal":
    case "lemonade":
      return createOpenAIAdapter({ ...common, provider: settings.provider, ...(settings.extraBody === undefined ? {} : { extraBody: settings.extraBody }) });
    case "ollama":
      return createOllamaAdapter(common);
    case "anthropic":
      return createAnthropicAdapter(common);
    case "llamacpp": {
      const options = settings.llamacpp ?? { maxContexts: 1 };
      return createLlamaCppAdapter({
        modelPath: settings.modelId,
        modelId: settings.modelId,
        maxContexts: options.maxContexts,
        ...(options.gpuLayers === undefined ? {} : { gpuLayers: options.gpuLayers }),
        ...(options.threads === undefined ? {} : { threads: options.threads }),
        ...(dependencies.clock === undefined ? {} : { clock: dependencies.clock }),
      });
    }
    default:
      throw new LfError("config_invalid", `unknown provider "${String((settings as { provider: unknown }).provider)}"`);
  }
}

/** Where a model's calls go when it sets no base_url. */
export function defaultBaseUrl(provider: ProviderName, env: Env = {}): string | undefined {
  switch (provider) {
    case "openai":
    case "universal":
    case "lemonade":
      return OPENAI_DEFAULT_BASE_URLS[provider];
    case "anthropic":
      return ANTHROPIC_DEFAULT_BASE_URL;
    case "ollama":
      return resolveOllamaHost(undefined, env);
    case "llamacpp":
      return undefined;
  }
}

export interface ApiKeyStatus {
  /** `config`: the model's api_key; `env`: the provider's variable; `none`: no key is sent. */
  from: "config" | "env" | "none";
  /** The variable read when the model sets no api_key (for the provider's own host only). */
  envVar: string | undefined;
  /** The key, masked (`sk-…****`), when there is one. */
  masked: string | undefined;
  /** Calls will fail: the provider's own API needs a key and there is none. */
  missing: boolean;
  /** What to do about it, in words. */
  advice: string;
}

/** For `lf providers`: where a model's key comes from, without ever returning the key. */
export function apiKeyStatus(settings: Pick<AdapterSettings, "provider" | "baseUrl" | "apiKey">, env: Env = {}): ApiKeyStatus {
  const source = API_KEY_SOURCES[settings.provider];
  const baseUrl = settings.baseUrl ?? defaultBaseUrl(settings.provider, env);
  if (baseUrl === undefined || !source.configurable) return { from: "none", envVar: undefined, masked: undefined, missing: false, advice: "no key is used" };
  const resolved = resolveApiKey(settings.provider, baseUrl, settings.apiKey, env);
  return {
    from: resolved.from,
    envVar: source.envVar,
    masked: resolved.key === undefined ? undefined : maskSecret(resolved.key),
    missing: resolved.missing,
    advice: resolved.advice,
  };
}
