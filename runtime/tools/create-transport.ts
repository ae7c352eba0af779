import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { FetchLike, Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { LfError } from "../core/index.js";
import type { McpServerConfig } from "./mcp-server-config.js";
import { StdioProcessTransport } from "./stdio-process-transport.js";

export interface TransportContext {
  /** The parent environment; a stdio child receives only PATH and HOME from it. */
  env: Record<string, string | undefined>;
  fetch?: FetchLike;
}

export type TransportFactory = (config: McpServerConfig, context: TransportContext) => Transport;

/** Windows cannot start most programs without these; they carry no secrets. */
const INHERITED_KEYS = process.platform === "win32" ? ["PATH", "Path", "HOME", "USERPROFILE", "SYSTEMROOT", "TEMP", "TMP", "APPDATA"] : ["PATH", "HOME"];

/** PATH and HOME from the parent, then the server's own configured env. */
export function minimalEnv(parent: Record<string, string | undefined>, configured: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of INHERITED_KEYS) {
    const value = parent[key];
    if (value !== undefined) env[key] = value;
  }
  return { ...env, ...configured };
}

export const createTransport: TransportFactory = (config, context) => {
  switch (config.transport) {
    case "stdio": {
      if (!config.command) throw new LfError("config_invalid", `MCP server "${config.name}": stdio needs a command`);
      return new StdioProcessTransport({
        command: config.command,
        args: config.args ?? [],
        env: minimalEnv(context.env, config.env),
        ...(config.cwd === undefined ? {} : { cwd: config.cwd }),
      });
    }
    case "http":
      return new StreamableHTTPClientTransport(endpoint(config), {
        requestInit: { headers: config.headers ?? {} },
        ...(context.fetch ? { fetch: context.fetch } : {}),
      });
    case "sse":
      return new SSEClientTransport(endpoint(config), {
        requestInit: { headers: config.headers ?? {} },
        ...(context.fetch ? { fetch: context.fetch } : {}),
      });
    default:
      throw new LfError("config_invalid", `MCP server "${config.name}": unknown transport "${String(config.transport)}"`);
  }
};

function endpoint(config: McpServerConfig): URL {
  if (!config.base_url) throw new LfError("config_invalid", `MCP server "${config.name}": ${config.transport} needs a base_url`);
  try {
    return new URL(config.base_url);
  } catch (error) {
    throw new LfError("config_invalid", `MCP server "${config.name}": base_url is not a URL`, { cause: error });
  }
}
