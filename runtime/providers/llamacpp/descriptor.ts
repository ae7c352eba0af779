import type { ProviderDescriptor } from "../provider-descriptor.js";

/** GGUF files run in this process by node-llama-cpp. */
export const llamaCppProvider: ProviderDescriptor = {
  name: "llamacpp",
  parameters: "llamacpp",
  key: { configurable: false },
  local: true,
  collectsWhole: false,
  defaultBaseUrl: () => undefined,
  load: async (settings, _env, dependencies) => {
    const options = settings.llamacpp ?? { maxContexts: 1 };
    return (await import("./llamacpp-adapter.js")).createLlamaCppAdapter({
      modelPath: settings.modelId,
      modelId: settings.modelId,
      maxContexts: options.maxContexts,
      ...(options.gpuLayers === undefined ? {} : { gpuLayers: options.gpuLayers }),
      ...(options.threads === undefined ? {} : { threads: options.threads }),
      ...(dependencies.clock === undefined ? {} : { clock: dependencies.clock }),
    });
  },
};
