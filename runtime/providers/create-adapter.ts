import type { ModelAdapter } from "../core/model-adapter.js";
import type { AdapterDependencies, AdapterSettings, Env } from "./adapter-settings.js";
import { keySourceOf, resolveApiKey, type ProviderName } from "./api-key-sources.js";
import { providerOf } from "./registry.js";
import { maskSecret } from "./shared/secrets.js";

export type { AdapterDependencies, AdapterSettings, Env } from "./adapter-settings.js";

/**
 * The adapter for one model, its provider's module imported now. `env` supplies OPENAI_API_KEY,
 * ANTHROPIC_API_KEY and OLLAMA_HOST; nothing is read from `process.env` here, so the caller decides
 * which environment counts.
 */
export function createAdapter(settings: AdapterSettings, env: Env = {}, dependencies: AdapterDependencies = {}): Promise<ModelAdapter> {
  return providerOf(settings.provider).load(settings, env, dependencies);
}

/** Where a model's calls go when it sets no base_url. */
export function defaultBaseUrl(provider: ProviderName, env: Env = {}): string | undefined {
  return providerOf(provider).defaultBaseUrl(env);
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
  const source = keySourceOf(settings.provider);
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
