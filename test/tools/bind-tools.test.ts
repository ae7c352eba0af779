import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { bindMcpTools, type McpToolSource } from "../../runtime/tools/index.js";

const tool = (name: string, description?: string): Tool => ({ name, inputSchema: { type: "object", properties: {} }, ...(description ? { description } : {}) });

/** The pool boundary, as an object literal: two healthy servers and one that cannot start. */
const source: McpToolSource = {
  serverNames: () => ["alpha", "beta", "down"],
  listTools: async (server) => {
    if (server === "down") throw new Error('MCP server "down" could not start: ECONNREFUSED');
    return server === "alpha" ? [tool("search", "Search things"), tool("fetch")] : [tool("search")];
  },
  callTool: async () => ({ content: [] }),
};

describe("bindMcpTools", () => {
  it("binds every server when the model lists none, and reports the one that is down", async () => {
    const set = await bindMcpTools(source, undefined);
    expect(set.definitions.map((d) => d.name)).toEqual(["alpha__search", "alpha__fetch", "beta__search"]);
    expect(set.definitions[0]).toEqual({ name: "alpha__search", description: "Search things", parameters: { type: "object", properties: {} } });
    expect(set.resolve("beta__search")).toMatchObject({ server: "beta", tool: "search" });
    expect(set.issues).toEqual([{ server: "down", message: expect.stringContaining("ECONNREFUSED") }]);
  });

  it("binds nothing for []", async () => {
    const set = await bindMcpTools(source, []);
    expect(set.definitions).toEqual([]);
    expect(set.issues).toEqual([]);
  });

  it("narrows, widens on repeated entries, and reports unknown servers and tools", async () => {
    const narrowed = await bindMcpTools(source, [{ server: "alpha", tools: ["fetch", "nope"] }, "ghost"]);
    expect(narrowed.definitions.map((d) => d.name)).toEqual(["alpha__fetch"]);
    expect(narrowed.issues.map((i) => i.message)).toEqual(['No MCP server named "ghost"', 'MCP server "alpha" has no tool "nope"']);

    const widened = await bindMcpTools(source, [{ server: "alpha", tools: ["fetch"] }, "alpha"]);
    expect(widened.definitions.map((d) => d.name)).toEqual(["alpha__search", "alpha__fetch"]);
  });

  it("refuses to call a name it did not bind", async () => {
    const set = await bindMcpTools(source, [{ server: "alpha", tools: ["fetch"] }]);
    await expect(set.call("alpha__search", {})).rejects.toThrow(/Unknown tool/);
  });
});
