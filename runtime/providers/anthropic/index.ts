export { createAnthropicAdapter, AnthropicAdapter, type AnthropicAdapterOptions } from "./anthropic-adapter.js";
export { ANTHROPIC_DEFAULT_BASE_URL } from "./descriptor.js";
export { buildAnthropicRequest, ANTHROPIC_DEFAULT_MAX_TOKENS } from "./build-anthropic-request.js";
export { convertToAnthropicMessages } from "./convert-to-anthropic-messages.js";
