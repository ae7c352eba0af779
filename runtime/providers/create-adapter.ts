import { LfError } from "../core/errors.js";
import type { ModelAdapter } from "../core/model-adapter.js";
import { commonAdapterOptions, openAIAdapterOptions, type AdapterDependencies, type AdapterSettings, type Env } from "./adapter-settings.js";
import { ANTHROPIC_DEFAULT_BASE_URL, createAnthropicAdapter } from "./anthropic/index.js";
import { API_KEY_SOURCES, resolveApiKey, type ProviderName } from "./api-key-sources.js";
import { createLlamaCppAdapter } from "./llamacpp/index.js";
import { createOllamaAdapter, resolveOllamaHost } from "./ollama/index.js";
import { createOpenAIAdapter, OPENAI_DEFAULT_BASE_URLS } from "./openai/index.js";
import { maskSecret } from "./shared/secrets.js";

export type { AdapterDependencies, AdapterSettings, Env } from "./adapter-settings.js";

/**
 * The adapter for one model. `env` supplies OPENAI_API_KEY, ANTHROPIC_API_KEY and OLLAMA_HOST; nothing
 * is read from `process.env` here, so the caller decides which environment counts.
 */
export function createAdapter(settings: AdapterSettings, env: Env = {}, dependencies: AdapterDependencies = {}): ModelAdapter {
  const common = commonAdapterOptions(settings, env, dependencies);
  switch (settings.provider) {
    case "openai":
    case "universal":
    case "lemonade":
      return createOpenAIAdapter(openAIAdapterOptions(settings, env, dependencies));
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
