import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { McpPool } from "../../runtime/tools/index.js";
import { startEverythingHttp, startRecordingProxy, type RecordingProxy, type RunningServer } from "./support/servers.js";

describe("McpPool over streamable HTTP (server-everything)", () => {
  let server: RunningServer;
  let proxy: RecordingProxy;
  beforeAll(async () => {
    server = await startEverythingHttp("streamableHttp");
    proxy = await startRecordingProxy(server.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
  });

  it("sends the configured headers on every request, including session teardown", async () => {
    const pool = new McpPool([
      { name: "remote", transport: "http", base_url: `${proxy.url}/mcp`, headers: { Authorization: "Bearer test-token", "X-Team": "lf" } },
    ]);
    try {
      const tools = await pool.listTools("remote");
      expect(tools.map((t) => t.name)).toContain("get-sum");
      const result = await pool.callTool("remote", "get-sum", { a: 40, b: 2 });
      expect(result.content[0]).toMatchObject({ type: "text", text: expect.stringContaining("42") });
      expect(pool.status()[0]).toMatchObject({ state: "ready", transport: "http" });
    } finally {
      await pool.close();
    }
    const mcpRequests = proxy.seen.filter((r) => r.path.startsWith("/mcp"));
    expect(mcpRequests.map((r) => r.method)).toEqual(expect.arrayContaining(["POST", "DELETE"]));
    for (const request of mcpRequests) {
      expect(request.headers.authorization).toBe("Bearer test-token");
      expect(request.headers["x-team"]).toBe("lf");
    }
  });

  it("after the server restarts, fails that call and reconnects on the next", async () => {
    const port = Number(new URL(server.url).port);
    const pool = new McpPool([{ name: "remote", transport: "http", base_url: `${server.url}/mcp` }]);
    try {
      await pool.callTool("remote", "echo", { message: "before" });
      await server.stop();
      server = await startEverythingHttp("streamableHttp", port);

      // The old session id is unknown to the new process; the pool drops the session.
      await expect(pool.callTool("remote", "echo", { message: "lost" })).rejects.toThrow(/remote/);
      expect(pool.status()[0]).toMatchObject({ state: "failed", failures: 1 });

      const result = await pool.callTool("remote", "echo", { message: "after" });
      expect(result.content[0]).toMatchObject({ text: "Echo: after" });
      expect(pool.status()[0]).toMatchObject({ state: "ready", failures: 0 });
    } finally {
      await pool.close();
    }
  });

  it("reports an unreachable endpoint as a failed server", async () => {
    const pool = new McpPool([{ name: "down", transport: "http", base_url: "http://127.0.0.1:9/mcp", timeout_ms: 2000 }]);
    try {
      await expect(pool.listTools("down")).rejects.toThrow(/could not start/);
      expect(pool.status()[0]).toMatchObject({ state: "failed", lastError: expect.any(String) });
    } finally {
      await pool.close();
    }
  });
});

describe("McpPool over legacy SSE (server-everything)", () => {
  let server: RunningServer;
  let proxy: RecordingProxy;
  beforeAll(async () => {
    server = await startEverythingHttp("sse");
    proxy = await startRecordingProxy(server.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
  });

  it("calls tools and sends the headers on the event stream and the posts", async () => {
    const pool = new McpPool([{ name: "legacy", transport: "sse", base_url: `${proxy.url}/sse`, headers: { "X-Api-Key": "k-123" } }]);
    try {
      const result = await pool.callTool("legacy", "get-sum", { a: 1, b: 2 });
      expect(result.content[0]).toMatchObject({ text: expect.stringContaining("3") });
    } finally {
      await pool.close();
    }
    expect(proxy.seen.map((r) => r.method)).toEqual(expect.arrayContaining(["GET", "POST"]));
    for (const request of proxy.seen) expect(request.headers["x-api-key"]).toBe("k-123");
  });
});
