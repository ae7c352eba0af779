import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { LfError } from "./core/index.js";
import type { McpServerStatus } from "./tools/mcp-connection.js";
import type { McpPool as ToolsMcpPool, McpPoolOptions, McpToolSource } from "./tools/mcp-pool.js";
import type { McpServerConfig } from "./tools/mcp-server-config.js";

/**
 * The runtime's MCP pool: the pool of `tools/`, imported with the MCP SDK on the first call that needs
 * a server. A project without MCP servers, and every CLI command that never calls a tool, starts
 * without loading the SDK (about 150 ms and several MB). Same constructor and methods as the pool it
 * wraps; until the first call, every server is `idle` (or `closed` after `close`).
 */
export class McpPool implements McpToolSource {
  private readonly configs: readonly McpServerConfig[];
  private pool: ToolsMcpPool | undefined;
  private loading: Promise<ToolsMcpPool> | undefined;
  private closed = false;

  constructor(
    servers: readonly McpServerConfig[],
    private readonly options: McpPoolOptions = {},
  ) {
    const names = new Set<string>();
    for (const config of servers) {
      if (names.has(config.name)) throw new LfError("config_invalid", `MCP server "${config.name}" is configured twice`);
      names.add(config.name);
    }
    this.configs = [...servers];
  }

  serverNames(): string[] {
    return this.configs.map((config) => config.name);
  }

  async listTools(server: string, signal?: AbortSignal): Promise<Tool[]> {
    return (await this.started(server)).listTools(server, signal);
  }

  async callTool(server: string, tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<CallToolResult> {
    return (await this.started(server)).callTool(server, tool, args, signal);
  }

  status(): McpServerStatus[] {
    if (this.pool !== undefined) return this.pool.status();
    return this.configs.map((config) => ({ name: config.name, transport: config.transport, state: this.closed ? "closed" : "idle", failures: 0 }));
  }

  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool ?? (await this.loading?.catch(() => undefined));
    await pool?.close();
  }

  private async started(server: string): Promise<ToolsMcpPool> {
    if (!this.configs.some((config) => config.name === server)) throw new LfError("tool_error", `No MCP server named "${server}"`, { details: { server } });
    this.loading ??= import("./tools/mcp-pool.js").then(({ McpPool: Pool }) => {
      this.pool = new Pool(this.configs, this.options);
      return this.pool;
    });
    const pool = await this.loading;
    // Closed while loading: the real pool answers as a closed one does.
    if (this.closed) await pool.close();
    return pool;
  }
}
