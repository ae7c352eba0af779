export { createAdapter, apiKeyStatus, defaultBaseUrl, type AdapterSettings, type AdapterDependencies, type ApiKeyStatus, type Env } from "./create-adapter.js";
export { keySourceOf, resolveApiKey, type ApiKeySource, type ProviderName, type ResolvedApiKey } from "./api-key-sources.js";
export { PROVIDERS, providerOf } from "./registry.js";
export type { ProviderDescriptor } from "./provider-descriptor.js";
export { createOpenAIAdapter, type OpenAIAdapterOptions } from "./openai/index.js";
export { createOllamaAdapter, type OllamaAdapterOptions } from "./ollama/index.js";
export { createAnthropicAdapter, type AnthropicAdapterOptions } from "./anthropic/index.js";
