import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SseError } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ErrorCode, McpError, ToolListChangedNotificationSchema, type CallToolResult, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { LfError, type Clock } from "../core/index.js";
import { abortable, abortError } from "./abortable.js";
import type { TransportContext, TransportFactory } from "./create-transport.js";
import { DEFAULT_MCP_TIMEOUT_MS, type McpServerConfig } from "./mcp-server-config.js";
import { StdioProcessTransport } from "./stdio-process-transport.js";

const MIN_CONNECT_TIMEOUT_MS = 10_000;

export type McpServerState = "idle" | "connecting" | "ready" | "failed" | "closed";

export interface McpServerStatus {
  name: string;
  transport: McpServerConfig["transport"];
  state: McpServerState;
  /** Why the server last failed; kept until a connect succeeds. */
  lastError?: string;
  /** Epoch ms: a failed server is not retried before this. */
  retryAt?: number;
  /** Consecutive failures (connects that failed, sessions that died) since the last good connect. */
  failures: number;
  /** Tool names from the cached listing, once listed. */
  tools?: string[];
  /** stdio: the pid of the running child. */
  pid?: number;
}

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export interface McpConnectionDeps {
  clock: Clock;
  backoff: BackoffPolicy;
  createTransport: TransportFactory;
  transportContext: TransportContext;
  clientInfo: { name: string; version: string };
}

interface Session {
  client: Client;
  transport: Transport;
}

/**
 * One long-lived client session to one MCP server, shared by every request. Connects on first use,
 * caches the tool listing, and after the session dies reconnects on the next use: the first retry is
 * immediate (so the request after a crash works), further consecutive failures back off exponentially
 * and fail fast meanwhile instead of holding requests up.
 */
export class McpConnection {
  private state: McpServerState = "idle";
  private session: Session | undefined;
  private connecting: Promise<Session> | undefined;
  private pendingTransport: Transport | undefined;
  private tools: Tool[] | undefined;
  private toolsLoading: Promise<Tool[]> | undefined;
  private toolsVersion = 0;
  private failures = 0;
  private retryAt: number | undefined;
  private lastError: string | undefined;

  constructor(
    readonly config: McpServerConfig,
    private readonly deps: McpConnectionDeps,
  ) {}

  get name(): string {
    return this.config.name;
  }

  get timeoutMs(): number {
    return this.config.timeout_ms ?? DEFAULT_MCP_TIMEOUT_MS;
  }

  /** Starting a process or a session costs more than a call; a short per-call timeout must not starve it. */
  get connectTimeoutMs(): number {
    return Math.max(this.timeoutMs, MIN_CONNECT_TIMEOUT_MS);
  }

  status(): McpServerStatus {
    const transport = this.session?.transport ?? this.pendingTransport;
    const pid = transport instanceof StdioProcessTransport ? transport.pid : undefined;
    return {
      name: this.name,
      transport: this.config.transport,
      state: this.state,
      failures: this.failures,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
      ...(this.retryAt === undefined ? {} : { retryAt: this.retryAt }),
      ...(this.tools === undefined ? {} : { tools: this.tools.map((tool) => tool.name) }),
      ...(pid === undefined ? {} : { pid }),
    };
  }

  /** The server's tools, listed once and cached until the server says they changed or it reconnects. */
  listTools(signal?: AbortSignal): Promise<Tool[]> {
    if (this.tools) return Promise.resolve(this.tools);
    if (!this.toolsLoading) {
      const loading = this.fetchTools().finally(() => {
        if (this.toolsLoading === loading) this.toolsLoading = undefined;
      });
      loading.catch(() => undefined);
      this.toolsLoading = loading;
    }
    return abortable(this.toolsLoading, signal);
  }

  async callTool(tool: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<CallToolResult> {
    for (let attempt = 0; ; attempt++) {
      const session = await this.ensureSession(signal);
      try {
        const result = await session.client.callTool({ name: tool, arguments: args }, undefined, {
          timeout: this.timeoutMs,
          ...(signal ? { signal } : {}),
        });
        return result as CallToolResult;
      } catch (error) {
        if (signal?.aborted) throw abortError(signal);
        // 404 on a session means the server restarted and never saw this call, so it is safe to repeat.
        if (attempt === 0 && error instanceof StreamableHTTPError && error.code === 404) {
          this.dropSession(session, error);
          continue;
        }
        throw this.callFailure(session, error, `call tool "${tool}"`);
      }
    }
  }

  async close(): Promise<void> {
    if (this.state === "closed") return;
    this.state = "closed";
    const session = this.session;
    this.session = undefined;
    await this.connecting?.catch(() => undefined);
    if (session) await closeSession(session);
  }

  private async fetchTools(): Promise<Tool[]> {
    const session = await this.ensureSession();
    const version = this.toolsVersion;
    const tools: Tool[] = [];
    try {
      let cursor: string | undefined;
      do {
        const page = await session.client.listTools(cursor === undefined ? undefined : { cursor }, { timeout: this.timeoutMs });
        tools.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor !== undefined);
    } catch (error) {
      throw this.callFailure(session, error, "list tools");
    }
    if (version === this.toolsVersion) this.tools = tools;
    return tools;
  }

  private ensureSession(signal?: AbortSignal): Promise<Session> {
    if (this.state === "closed") return Promise.reject(new LfError("tool_error", `MCP server "${this.name}" is closed`));
    if (this.session) return Promise.resolve(this.session);
    if (!this.connecting) {
      const now = this.deps.clock.now();
      if (this.retryAt !== undefined && now < this.retryAt) {
        return Promise.reject(
          new LfError("tool_error", `MCP server "${this.name}" is unavailable (${this.lastError ?? "failed"}); next retry in ${this.retryAt - now} ms`, {
            details: { server: this.name, retryAt: this.retryAt },
          }),
        );
      }
      const connecting = this.connect().finally(() => {
        this.connecting = undefined;
      });
      // Every waiter may have aborted; the outcome is recorded in the state, so nobody has to observe it.
      connecting.catch(() => undefined);
      this.connecting = connecting;
    }
    return abortable(this.connecting, signal);
  }

  private async connect(): Promise<Session> {
    this.state = "connecting";
    let transport: Transport | undefined;
    try {
      transport = this.deps.createTransport(this.config, this.deps.transportContext);
      this.pendingTransport = transport;
      const client = new Client(this.deps.clientInfo, { capabilities: {} });
      const session: Session = { client, transport };
      client.onclose = () => this.onSessionClosed(session);
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => this.onToolsChanged(session));
      await client.connect(transport, { timeout: this.connectTimeoutMs });
      if (this.isClosed()) {
        await closeSession(session);
        throw new LfError("tool_error", `MCP server "${this.name}" was closed while connecting`);
      }
      this.session = session;
      this.state = "ready";
      this.failures = 0;
      this.retryAt = undefined;
      this.lastError = undefined;
      // A new session may be a new version of the server: list again on next use.
      if (this.tools) this.invalidateTools();
      return session;
    } catch (error) {
      const reason = `${endpointOf(this.config)}: ${describe(error, transport)}`;
      await transport?.close().catch(() => undefined);
      if (error instanceof LfError) throw error;
      this.recordFailure(reason);
      throw new LfError("tool_error", `MCP server "${this.name}" could not start: ${reason}`, { cause: error, details: { server: this.name } });
    } finally {
      this.pendingTransport = undefined;
    }
  }

  /** Re-read after an await: `close()` may have run meanwhile. */
  private isClosed(): boolean {
    return this.state === "closed";
  }

  private callFailure(session: Session, error: unknown, what: string): LfError {
    if (error instanceof LfError) return error;
    const details = { server: this.name };
    if (error instanceof McpError && error.code === ErrorCode.RequestTimeout) {
      return new LfError("tool_error", `MCP server "${this.name}" did not ${what} within ${this.timeoutMs} ms`, { cause: error, details: { ...details, timeout: true } });
    }
    if (error instanceof McpError && error.code === ErrorCode.ConnectionClosed) {
      return new LfError("tool_error", `MCP server "${this.name}" closed the connection during ${what}: ${describe(error, session.transport)}`, { cause: error, details });
    }
    if (isTransportFailure(error)) this.dropSession(session, error);
    return new LfError("tool_error", `MCP server "${this.name}" failed to ${what}: ${describe(error, session.transport)}`, { cause: error, details });
  }

  private onSessionClosed(session: Session): void {
    if (this.session !== session || this.state === "closed") return;
    this.session = undefined;
    this.recordFailure(`connection closed${exitDetail(session.transport)}`);
  }

  private dropSession(session: Session, error: unknown): void {
    if (this.session !== session) return;
    this.session = undefined;
    this.recordFailure(describe(error, session.transport));
    void closeSession(session);
  }

  private onToolsChanged(session: Session): void {
    if (this.session !== session) return;
    this.invalidateTools();
    // Refresh now so the next request binds the new list without waiting; a failure just leaves it lazy.
    this.listTools().catch(() => undefined);
  }

  private invalidateTools(): void {
    this.toolsVersion += 1;
    this.tools = undefined;
    this.toolsLoading = undefined;
  }

  private recordFailure(reason: string): void {
    if (this.state === "closed") return;
    this.failures += 1;
    this.state = "failed";
    this.lastError = reason;
    const { initialMs, maxMs } = this.deps.backoff;
    const delay = this.failures <= 1 ? 0 : Math.min(maxMs, initialMs * 2 ** (this.failures - 2));
    this.retryAt = this.deps.clock.now() + delay;
  }
}

async function closeSession(session: Session): Promise<void> {
  if (session.transport instanceof StreamableHTTPClientTransport && session.transport.sessionId) {
    // Ends the server-side session too; best effort, a dead server must not hold shutdown up.
    await Promise.race([session.transport.terminateSession().catch(() => undefined), delay(1000)]);
  }
  await session.client.close().catch(() => undefined);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function isTransportFailure(error: unknown): boolean {
  return error instanceof StreamableHTTPError || error instanceof SseError || error instanceof TypeError;
}

function describe(error: unknown, transport: Transport | undefined): string {
  const message = error instanceof Error ? error.message : String(error);
  // fetch says only "fetch failed"; why (refused, no such host) is in its cause.
  const cause = error instanceof Error && error.cause instanceof Error && !message.includes(error.cause.message) ? ` (${error.cause.message})` : "";
  return message + cause + exitDetail(transport);
}

/** What was started or called, so a failure says where to look: the URL (without credentials) or the command. */
function endpointOf(config: McpServerConfig): string {
  if (config.transport === "stdio") return [config.command ?? "", ...(config.args ?? [])].join(" ").trim();
  try {
    const url = new URL(config.base_url ?? "");
    return `${url.origin}${url.pathname}`;
  } catch {
    return config.base_url ?? "(no base_url)";
  }
}

function exitDetail(transport: Transport | undefined): string {
  if (!(transport instanceof StdioProcessTransport)) return "";
  const exit = transport.exit;
  const how = exit ? ` (exited with ${exit.signal ?? `code ${exit.code}`})` : "";
  const lastLine = transport.stderrTail.trim().split("\n").pop();
  return lastLine ? `${how}: ${lastLine}` : how;
}
