/**
 * MCP tools: one shared client session per configured server (`McpPool`), the binding of a model to
 * servers and tools under provider-safe namespaced names (`bindMcpTools`), and the loop that lets a
 * model call them (`runToolLoop`). Only config names servers and commands; a request only picks tools
 * by the names it was offered.
 */
export { bindMcpTools, McpToolset, type BindingIssue, type BoundTool } from "./bind-tools.js";
export { createTransport, minimalEnv, type TransportContext, type TransportFactory } from "./create-transport.js";
export type { BackoffPolicy, McpServerState, McpServerStatus } from "./mcp-connection.js";
export { McpPool, type McpPoolOptions, type McpToolSource } from "./mcp-pool.js";
export { DEFAULT_MCP_TIMEOUT_MS, type McpBinding, type McpServerConfig } from "./mcp-server-config.js";
export { DEFAULT_MAX_TOOL_ITERATIONS, runToolLoop, type ToolLoopOptions } from "./run-tool-loop.js";
export { StdioProcessTransport, type StdioProcessParams } from "./stdio-process-transport.js";
export { DEFAULT_MAX_TOOL_OUTPUT_BYTES, formatToolResult, truncateUtf8 } from "./tool-output.js";
export { namespaceTools, TOOL_NAME_PATTERN, type ToolAddress } from "./tool-names.js";
