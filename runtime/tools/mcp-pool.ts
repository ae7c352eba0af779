import type { FetchLike } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { LfError, systemClock, type Clock } from "../core/index.js";
import { createTransport, type TransportFactory } from "./create-transport.js";
import { McpConnection, type BackoffPolicy, type McpServerStatus } from "./mcp-connection.js";
import type { McpServerConfig } from "./mcp-server-config.js";

export interface McpPoolOptions {
  /** Drives backoff: `retryAt` and the wait between reconnects are measured on it. */
  clock?: Clock;
  /** The parent environment a stdio child takes PATH and HOME from; `process.env` by default. */
  env?: Record<string, string | undefined>;
  /** For http / sse servers. */
  fetch?: FetchLike;
  /** Replaces the stdio / http / sse transports, e.g. with an in-memory pair in tests. */
  createTransport?: TransportFactory;
  backoff?: Partial<BackoffPolicy>;
  clientInfo?: { name: string; version: string };
}

/** What binding and the tool loop need from the pool; a test can supply its own. */
export interface McpToolSource {
  serverNames(): string[];
  listTools(server: string, signal?: AbortSignal): Promise<Tool[]>;
  callTool(server: string, tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<CallToolResult>;
}

const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 30_000 };

/** One client session per configured MCP server, shared by all requests, started lazily. */
export class McpPool implements McpToolSource {
  private readonly connections = new Map<string, McpConnection>();

  constructor(servers: readonly McpServerConfig[], options: McpPoolOptions = {}) {
    const deps = {
      clock: options.clock ?? systemClock,
      backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
      createTransport: options.createTransport ?? createTransport,
      transportContext: { env: options.env ?? process.env, ...(options.fetch ? { fetch: options.fetch } : {}) },
      clientInfo: options.clientInfo ?? { name: "lf", version: "0.1.0" },
    };
    for (const config of servers) {
      if (this.connections.has(config.name)) throw new LfError("config_invalid", `MCP server "${config.name}" is configured twice`);
      this.connections.set(config.name, new McpConnection(config, deps));
    }
  }

  serverNames(): string[] {
    return [...this.connections.keys()];
  }

  async listTools(server: string, signal?: AbortSignal): Promise<Tool[]> {
    return this.connection(server).listTools(signal);
  }

  async callTool(server: string, tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<CallToolResult> {
    return this.connection(server).callTool(tool, args, signal);
  }

  status(): McpServerStatus[] {
    return [...this.connections.values()].map((connection) => connection.status());
  }

  /** Ends every session; stdio children (and their process groups) are gone when this resolves. */
  async close(): Promise<void> {
    await Promise.all([...this.connections.values()].map((connection) => connection.close()));
  }

  private connection(server: string): McpConnection {
    const connection = this.connections.get(server);
    if (!connection) throw new LfError("tool_error", `No MCP server named "${server}"`, { details: { server } });
    return connection;
  }
}
