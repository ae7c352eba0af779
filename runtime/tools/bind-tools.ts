import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { isAbortError, LfError, type ToolDefinition } from "../core/index.js";
import type { McpToolSource } from "./mcp-pool.js";
import type { McpBinding } from "./mcp-server-config.js";
import { namespaceTools, type ToolAddress } from "./tool-names.js";

export interface BoundTool extends ToolAddress {
  /** The namespaced name the model sees. */
  name: string;
  definition: ToolDefinition;
}

/** Something that kept a binding from being complete; the rest of the tools are still offered. */
export interface BindingIssue {
  server: string;
  message: string;
}

/** The MCP tools one model may use in one request, under their namespaced names. */
export class McpToolset {
  private readonly byName: ReadonlyMap<string, BoundTool>;

  constructor(
    private readonly source: McpToolSource,
    readonly tools: readonly BoundTool[],
    readonly issues: readonly BindingIssue[] = [],
  ) {
    this.byName = new Map(tools.map((tool) => [tool.name, tool]));
  }

  static empty(source: McpToolSource): McpToolset {
    return new McpToolset(source, []);
  }

  get definitions(): ToolDefinition[] {
    return this.tools.map((tool) => tool.definition);
  }

  resolve(name: string): BoundTool | undefined {
    return this.byName.get(name);
  }

  async call(name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<CallToolResult> {
    const tool = this.byName.get(name);
    if (!tool) throw new LfError("tool_error", `Unknown tool "${name}"`);
    return this.source.callTool(tool.server, tool.tool, args, signal);
  }
}

/**
 * Resolves a model's binding against the pool: omitted = every server, `[]` = none, an entry with
 * `tools` narrows that server to the named tools. Listing connects the servers it needs; a server that
 * cannot be reached, or a named tool it does not have, becomes an issue, not a failed request.
 */
export async function bindMcpTools(source: McpToolSource, binding: readonly McpBinding[] | undefined, signal?: AbortSignal): Promise<McpToolset> {
  const issues: BindingIssue[] = [];
  const selection = select(source.serverNames(), binding, issues);

  const listed = await Promise.all(
    [...selection].map(async ([server, wanted]) => {
      try {
        return { server, wanted, tools: await source.listTools(server, signal) };
      } catch (error) {
        if (signal?.aborted || isAbortError(error)) throw error;
        issues.push({ server, message: error instanceof Error ? error.message : String(error) });
        return { server, wanted, tools: [] as Tool[] };
      }
    }),
  );

  const chosen: { server: string; tool: Tool }[] = [];
  for (const { server, wanted, tools } of listed) {
    const available = new Set(tools.map((tool) => tool.name));
    for (const name of wanted ?? []) {
      if (!available.has(name) && tools.length > 0) issues.push({ server, message: `MCP server "${server}" has no tool "${name}"` });
    }
    for (const tool of tools) if (!wanted || wanted.has(tool.name)) chosen.push({ server, tool });
  }

  const names = namespaceTools(chosen.map(({ server, tool }) => ({ server, tool: tool.name })));
  const nameOf = new Map([...names].map(([name, address]) => [`${address.server}\u0000${address.tool}`, name]));
  const bound = chosen.map(({ server, tool }): BoundTool => {
    const name = nameOf.get(`${server}\u0000${tool.name}`) ?? tool.name;
    return { name, server, tool: tool.name, definition: toDefinition(name, tool) };
  });
  return new McpToolset(source, bound, issues);
}

/** Server -> the tool names it is narrowed to (undefined = all), in pool order. */
function select(servers: readonly string[], binding: readonly McpBinding[] | undefined, issues: BindingIssue[]): Map<string, Set<string> | undefined> {
  const selection = new Map<string, Set<string> | undefined>();
  if (binding === undefined) {
    for (const server of servers) selection.set(server, undefined);
    return selection;
  }
  const known = new Set(servers);
  const requested = new Map<string, Set<string> | undefined>();
  for (const entry of binding) {
    const server = typeof entry === "string" ? entry : entry.server;
    const tools = typeof entry === "string" ? undefined : entry.tools;
    if (!known.has(server)) {
      issues.push({ server, message: `No MCP server named "${server}"` });
      continue;
    }
    const previous = requested.get(server);
    // Listing a server twice widens, never narrows: any entry without `tools` means all of them.
    if (requested.has(server) && previous === undefined) continue;
    requested.set(server, tools === undefined ? undefined : new Set([...(previous ?? []), ...tools]));
  }
  for (const server of servers) if (requested.has(server)) selection.set(server, requested.get(server));
  return selection;
}

function toDefinition(name: string, tool: Tool): ToolDefinition {
  const description = tool.description ?? tool.title ?? tool.annotations?.title;
  return {
    name,
    ...(description === undefined ? {} : { description }),
    parameters: { ...tool.inputSchema },
  };
}
