export { createOpenAIAdapter, OpenAIAdapter, type OpenAIAdapterOptions } from "./openai-adapter.js";
export { OPENAI_DEFAULT_BASE_URLS, type OpenAICompatibleProvider } from "./descriptor.js";
export { buildOpenAIRequest } from "./build-openai-request.js";
export { convertToOpenAIMessages } from "./convert-to-openai-messages.js";
