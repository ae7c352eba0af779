export * from "./core/index.js";
export * from "./config/index.js";
export type { ChatRequest, ChatRun } from "./chat-request.js";
export { Runtime, type ModelInfo, type RuntimeOptions } from "./runtime.js";
export { toChatCompletion, toOpenAIFinishReason } from "./openai-format/index.js";
export { resolveProjectPath } from "./resolve-project-path.js";
