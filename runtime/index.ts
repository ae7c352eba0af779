export * from "./core/index.js";
export * from "./config/index.js";
export type { ChatRequest, ChatRun } from "./chat-request.js";
export { Runtime, mcpServerConfigs, type ModelInfo, type RuntimeOptions } from "./runtime.js";
export { openRuntime, type OpenedRuntime, type OpenRuntimeOptions } from "./open-runtime.js";
export { McpPool } from "./lazy-mcp-pool.js";
export { summarizeAttempts, type RouteAttempt, type RoutingEvent } from "./routing/index.js";
export { toChatCompletion, toOpenAIFinishReason } from "./openai-format/index.js";
export { resolveProjectPath } from "./resolve-project-path.js";
