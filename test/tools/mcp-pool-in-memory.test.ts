import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { describe, expect, it } from "vitest";
import { McpPool, type TransportFactory } from "../../runtime/tools/index.js";
import { waitFor } from "./support/servers.js";

/** An SDK server on an in-memory linked pair: the pool's transport factory is the seam. */
function inMemoryServer() {
  const server = new McpServer({ name: "memory", version: "1.0.0" });
  server.registerTool("first", { description: "The first tool" }, async () => ({ content: [{ type: "text", text: "one" }] }));
  let connects = 0;
  const factory: TransportFactory = () => {
    connects += 1;
    const [client, serverSide] = InMemoryTransport.createLinkedPair();
    void server.connect(serverSide);
    return client;
  };
  return { server, factory, connects: () => connects };
}

describe("McpPool with an injected transport", () => {
  it("relists tools when the server announces tools/list_changed", async () => {
    const { server, factory, connects } = inMemoryServer();
    const pool = new McpPool([{ name: "memory", transport: "stdio", command: "unused" }], { createTransport: factory });
    try {
      expect((await pool.listTools("memory")).map((t) => t.name)).toEqual(["first"]);
      expect(await pool.listTools("memory")).toHaveLength(1);

      server.registerTool("second", { description: "Added later" }, async () => ({ content: [{ type: "text", text: "two" }] }));
      await waitFor(() => pool.status()[0]?.tools?.includes("second") === true);
      expect((await pool.listTools("memory")).map((t) => t.name)).toEqual(["first", "second"]);
      expect((await pool.callTool("memory", "second", {})).content).toEqual([{ type: "text", text: "two" }]);
      expect(connects()).toBe(1);
    } finally {
      await pool.close();
    }
  });
});
