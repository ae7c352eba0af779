import { commonAdapterOptions } from "../adapter-settings.js";
import type { ProviderDescriptor } from "../provider-descriptor.js";
import { resolveOllamaHost } from "./resolve-ollama-host.js";

export const ollamaProvider: ProviderDescriptor = {
  name: "ollama",
  parameters: "ollama",
  key: { configurable: true },
  local: true,
  collectsWhole: false,
  defaultBaseUrl: (env) => resolveOllamaHost(undefined, env),
  load: async (settings, env, dependencies) => (await import("./ollama-adapter.js")).createOllamaAdapter(commonAdapterOptions(settings, env, dependencies)),
};
