export { createOpenAIAdapter, OpenAIAdapter, OPENAI_DEFAULT_BASE_URLS, type OpenAIAdapterOptions, type OpenAICompatibleProvider } from "./openai-adapter.js";
export { buildOpenAIRequest } from "./build-openai-request.js";
export { convertToOpenAIMessages } from "./convert-to-openai-messages.js";
