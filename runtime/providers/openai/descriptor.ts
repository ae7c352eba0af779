import { openAIAdapterOptions } from "../adapter-settings.js";
import type { ProviderDescriptor } from "../provider-descriptor.js";

/** The LlamaFarm runtimes that speak the OpenAI API, besides OpenAI itself. */
export type OpenAICompatibleProvider = "openai" | "universal" | "lemonade";

export const OPENAI_DEFAULT_BASE_URLS: Readonly<Record<OpenAICompatibleProvider, string>> = {
  openai: "https://api.openai.com/v1",
  universal: "http://localhost:11540/v1",
  lemonade: "http://localhost:11534/api/v1",
};

function openAICompatible(name: OpenAICompatibleProvider, local: boolean, key: ProviderDescriptor["key"]): ProviderDescriptor {
  return {
    name,
    parameters: "openai",
    key,
    local,
    collectsWhole: true,
    defaultBaseUrl: () => OPENAI_DEFAULT_BASE_URLS[name],
    load: async (settings, env, dependencies) => (await import("./openai-adapter.js")).createOpenAIAdapter(openAIAdapterOptions(settings, env, dependencies)),
  };
}

/** OpenAI and every OpenAI-compatible server; `universal` and `lemonade` are LlamaFarm's local runtimes. */
export const openAIProviders = [
  openAICompatible("openai", false, { envVar: "OPENAI_API_KEY", officialHost: "api.openai.com", configurable: true }),
  openAICompatible("universal", true, { configurable: true }),
  openAICompatible("lemonade", true, { configurable: true }),
] as const;
