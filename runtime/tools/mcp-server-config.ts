export type { McpBinding, McpServerConfig } from "../core/mcp-server-config.js";

export const DEFAULT_MCP_TIMEOUT_MS = 30_000;
