import { commonAdapterOptions } from "../adapter-settings.js";
import type { ProviderDescriptor } from "../provider-descriptor.js";

export const ANTHROPIC_DEFAULT_BASE_URL = "https://api.anthropic.com";

export const anthropicProvider: ProviderDescriptor = {
  name: "anthropic",
  parameters: "anthropic",
  key: { envVar: "ANTHROPIC_API_KEY", officialHost: "api.anthropic.com", configurable: true },
  local: false,
  collectsWhole: false,
  defaultBaseUrl: () => ANTHROPIC_DEFAULT_BASE_URL,
  load: async (settings, env, dependencies) => (await import("./anthropic-adapter.js")).createAnthropicAdapter(commonAdapterOptions(settings, env, dependencies)),
};
