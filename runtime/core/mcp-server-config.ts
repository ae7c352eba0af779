/**
 * One MCP server as the config loader hands it over: validated, with defaults applied and
 * env-var secrets already substituted. Only config names a command to run; a request never does.
 */
export interface McpServerConfig {
  name: string;
  transport: "stdio" | "http" | "sse";
  /** stdio: the executable to spawn (no shell). */
  command?: string;
  args?: string[];
  /** stdio: added to the child's minimal environment (PATH and HOME only otherwise). */
  env?: Record<string, string>;
  cwd?: string;
  /** http / sse: the endpoint URL. */
  base_url?: string;
  /** http / sse: sent on every request, including the SSE stream and session teardown. */
  headers?: Record<string, string>;
  /** Per call (connect, list, call); 30000 when omitted. */
  timeout_ms?: number;
  /** A model bound to it must not answer without it. */
  required?: boolean;
}

/** Which servers (and optionally which of their tools) a model may use. */
export type McpBinding = string | { server: string; tools?: string[] };
