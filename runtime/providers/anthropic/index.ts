export { createAnthropicAdapter, AnthropicAdapter, ANTHROPIC_DEFAULT_BASE_URL, type AnthropicAdapterOptions } from "./anthropic-adapter.js";
export { buildAnthropicRequest, ANTHROPIC_DEFAULT_MAX_TOKENS } from "./build-anthropic-request.js";
export { convertToAnthropicMessages } from "./convert-to-anthropic-messages.js";
