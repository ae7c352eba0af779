import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { runCli } from "../helpers/run-cli.js";
import { closedPort } from "../providers/support.js";
import { getJson, startTestServer, tempDir, writeProject, type TestServer } from "./support.js";

const MISSING = "/nonexistent/lf-no-such-mcp-server";
let fake: FakeProvider;
let server: TestServer;
let file: string;
let deadUrl: string;

beforeAll(async () => {
  fake = await startFakeProvider();
  fake.always("gpt-tools", "answered");
  fake.always("gpt-backup", "answered by the backup");
  deadUrl = `http://127.0.0.1:${await closedPort()}/mcp`;
  file = await writeProject(
    tempDir(),
    `version: v1
name: mcpfail
namespace: tests
mcp:
  servers:
    - { name: fs, transport: stdio, command: ${MISSING} }
    - { name: db, transport: http, base_url: "${deadUrl}" }
    - { name: vault, transport: stdio, command: ${MISSING}, required: true }
runtime:
  default_model: helper
  retries: { max_attempts: 1 }
  models:
    - { name: helper, provider: openai, model: gpt-tools, base_url: "${fake.url}/v1", api_key: test-key, mcp_servers: [fs, db] }
    - { name: keeper, provider: openai, model: gpt-tools, base_url: "${fake.url}/v1", api_key: test-key, mcp_servers: [vault], fallbacks: [backup] }
    - { name: lonely, provider: openai, model: gpt-tools, base_url: "${fake.url}/v1", api_key: test-key, mcp_servers: [vault] }
    - { name: backup, provider: openai, model: gpt-backup, base_url: "${fake.url}/v1", api_key: test-key, mcp_servers: [] }
`,
  );
  server = await startTestServer([file], { level: "info" });
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
});

async function ask(model: string, stream = false) {
  const response = await fetch(`${server.url}/v1/projects/tests/mcpfail/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, stream, messages: [{ role: "user", content: "hi" }] }),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe("MCP servers that cannot be used", () => {
  it("are named in the answer, logged once each with their command or URL, and shown by /health/ready", async () => {
    for (const stream of [false, true, false]) {
      const answer = await ask("helper", stream);
      expect(answer.status).toBe(200);
      expect(answer.text).toContain("answered");
      expect(answer.headers.get("x-lf-tools-missing")?.split(", ").sort()).toEqual(["db", "fs"]);
    }
    const warnings = server.logs.filter((l) => l.level === "warn" && String(l.msg).startsWith("MCP server"));
    expect(warnings.map((l) => l.server).sort()).toEqual(["db", "fs"]);
    expect(String(warnings.find((l) => l.server === "fs")!.msg)).toContain(MISSING);
    expect(String(warnings.find((l) => l.server === "db")!.msg)).toContain(deadUrl);

    const ready = (await getJson(`${server.url}/health/ready`)).body;
    const mcp = Object.fromEntries(ready.projects[0].mcp.map((s: { name: string }) => [s.name, s]));
    expect(mcp.fs).toMatchObject({ state: "failed", required: false, last_error: expect.stringContaining(MISSING) });
    expect(mcp.db).toMatchObject({ state: "failed", last_error: expect.stringContaining(deadUrl) });
    expect(mcp.vault).toMatchObject({ required: true });
  });

  it("pass over a model whose required server is down: its fallback answers, or the request gets 503 naming the server", async () => {
    const kept = await ask("keeper");
    expect(kept.status).toBe(200);
    expect(kept.headers.get("x-lf-model")).toBe("backup");
    expect(kept.text).toContain("answered by the backup");

    for (const stream of [false, true]) {
      const alone = await ask("lonely", stream);
      expect(alone.status).toBe(503);
      const error = (JSON.parse(alone.text) as { error: { message: string; code: string } }).error;
      expect(error.code).toBe("all_models_failed");
      expect(error.message).toContain('MCP server "vault" is required by model lonely');
    }
    // Nothing was sent upstream for a model that cannot have its tools.
    expect(fake.requests.filter((r) => r.model === "gpt-tools").length).toBe(3);
  });

  it("are shown by lf status with their command or URL", async () => {
    const result = await runCli(["status", "--project", file, "--timeout", "3000"], { env: { NO_COLOR: "1" } });
    expect(result.stdout).toContain("fs");
    expect(result.stdout).toContain(MISSING);
    expect(result.stdout).toContain(deadUrl);
    expect(result.stdout).toMatch(/vault.*required/);
  });
});
