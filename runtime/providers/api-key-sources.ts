import { providerOf } from "./registry.js";
import { hostOf } from "./shared/safe-url.js";

export type ProviderName = "ollama" | "openai" | "anthropic" | "llamacpp" | "universal" | "lemonade";

export interface ApiKeySource {
  /** Read when the model sets no `api_key`. */
  envVar?: string;
  /** The provider's own API, which refuses calls without a key: those fail before any request. */
  officialHost?: string;
  /** Whether a key can be configured on the model at all (`api_key`). */
  configurable: boolean;
}

/**
 * Where each provider gets its key (its descriptor's `key`), for `lf providers` and for the adapters: the
 * model's `api_key`, else the provider's usual variable, but only for the provider's own API host: an
 * OpenAI key is never sent to a third-party OpenAI-compatible server unless the model's `api_key` says
 * so. The LlamaFarm runtimes and Ollama are local and get a key only when the model names one.
 */
export function keySourceOf(provider: ProviderName): ApiKeySource {
  return providerOf(provider).key;
}

export interface ResolvedApiKey {
  key: string | undefined;
  /** `config`: the model's api_key; `env`: the provider's variable; `none`: no key. */
  from: "config" | "env" | "none";
  /** What to tell someone whose key was refused or missing (never the key itself). */
  advice: string;
  /** The call goes to a host that needs a key and there is none. */
  missing: boolean;
}

export function resolveApiKey(provider: ProviderName, baseUrl: string, apiKey: string | undefined, env: Readonly<Record<string, string | undefined>>): ResolvedApiKey {
  const source = keySourceOf(provider);
  const official = source.officialHost !== undefined && hostOf(baseUrl) === source.officialHost;
  const variable = source.envVar;
  const setting = variable === undefined ? "api_key: ${env:YOUR_KEY_VARIABLE}" : `api_key: \${env:${variable}}`;
  if (apiKey !== undefined && apiKey !== "") {
    return { key: apiKey, from: "config", advice: "check the model's api_key in llamafarm.yaml", missing: false };
  }
  const fromEnv = variable === undefined || !official ? undefined : env[variable];
  if (fromEnv !== undefined && fromEnv !== "") {
    return { key: fromEnv, from: "env", advice: `check ${variable} (the model sets no api_key)`, missing: false };
  }
  const advice =
    variable === undefined
      ? `set ${setting} on the model if this server needs a key`
      : official
        ? `set ${variable}, or ${setting} on the model`
        : `set api_key: \${env:YOUR_KEY_VARIABLE} on the model if this server needs a key (${variable} is sent only to ${source.officialHost})`;
  return { key: undefined, from: "none", advice, missing: official };
}
