export { createAdapter, apiKeyStatus, defaultBaseUrl, type AdapterSettings, type AdapterDependencies, type ApiKeyStatus, type Env } from "./create-adapter.js";
export { API_KEY_SOURCES, resolveApiKey, type ApiKeySource, type ProviderName, type ResolvedApiKey } from "./api-key-sources.js";
export { createOpenAIAdapter, type OpenAIAdapterOptions } from "./openai/index.js";
export { createOllamaAdapter, type OllamaAdapterOptions } from "./ollama/index.js";
export { createAnthropicAdapter, type AnthropicAdapterOptions } from "./anthropic/index.js";
