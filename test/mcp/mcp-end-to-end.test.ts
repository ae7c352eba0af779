import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectStream, parseProject, Runtime, type StreamPart } from "../../runtime/index.js";
import { startFakeProvider, type FakeProvider, type RecordedRequest } from "../fake-provider/index.js";
import { runCli } from "../helpers/run-cli.js";
import { EVERYTHING_BIN, FILESYSTEM_BIN } from "../tools/support/servers.js";

let fake: FakeProvider;
let dir: string;
let runtime: Runtime;

function projectText(): string {
  return `version: v1
name: mcp-e2e
namespace: tests
mcp:
  servers:
    - name: everything
      transport: stdio
      command: ${JSON.stringify(process.execPath)}
      args: [${JSON.stringify(EVERYTHING_BIN)}, stdio]
    - name: files
      transport: stdio
      command: ${JSON.stringify(process.execPath)}
      args: [${JSON.stringify(FILESYSTEM_BIN)}, ${JSON.stringify(dir)}]
runtime:
  default_model: gpt
  models:
    - { name: gpt, provider: openai, model: gpt-tools, base_url: "${fake.url}/v1", api_key: test-key }
    - { name: llama, provider: ollama, model: llama-tools, base_url: "${fake.url}", mcp_servers: [everything] }
    - { name: claude, provider: anthropic, model: claude-tools, base_url: "${fake.url}", api_key: test-key, mcp_servers: [files] }
    - { name: plain, provider: openai, model: gpt-plain, base_url: "${fake.url}/v1", api_key: test-key, mcp_servers: [] }
`;
}

beforeAll(async () => {
  fake = await startFakeProvider();
  dir = mkdtempSync(join(tmpdir(), "lf-mcp-e2e-"));
  writeFileSync(join(dir, "notes.txt"), "the secret word is avocado");
  writeFileSync(join(dir, "llamafarm.yaml"), projectText());
  const loaded = parseProject(projectText(), join(dir, "llamafarm.yaml"), { dotenv: false });
  expect(loaded.issues).toEqual([]);
  runtime = new Runtime(loaded.project!);
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  await fake?.close();
});

async function run(model: string, text: string): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of await runtime.chat({ model, messages: [{ role: "user", content: text }] })) parts.push(part);
  return parts;
}

const toolNames = (request: RecordedRequest): string[] =>
  ((request.body as { tools?: Array<{ name?: string; function?: { name: string } }> }).tools ?? []).map((t) => t.function?.name ?? t.name!);

describe("MCP tools through the providers' own wire formats", () => {
  it("OpenAI: the model calls get-sum and receives the sum the real server computed", async () => {
    fake.script("gpt-tools", { toolCalls: [{ name: "everything__get-sum", arguments: { a: 19, b: 23 } }] }, (request) => {
      const messages = (request.body as { messages: Array<{ role: string; content: string; tool_call_id?: string }> }).messages;
      const tool = messages.find((m) => m.role === "tool");
      return { text: `the tool said: ${tool?.content}` };
    });
    const before = fake.requests.length;
    const parts = await run("gpt", "what is 19 + 23?");
    const [first, second] = fake.requests.slice(before);
    expect(toolNames(first!)).toEqual(expect.arrayContaining(["everything__get-sum", "files__read_text_file"]));
    const messages = (second!.body as { messages: Array<Record<string, unknown>> }).messages;
    expect(messages.at(-2)).toMatchObject({ role: "assistant", tool_calls: [{ type: "function", function: { name: "everything__get-sum" } }] });
    expect(messages.at(-1)).toMatchObject({ role: "tool", content: expect.stringContaining("42") });
    expect(parts.find((p) => p.type === "tool-start")).toMatchObject({ server: "everything", tool: "get-sum" });
    expect(parts.filter((p) => p.type === "text-delta").map((p) => (p as { text: string }).text).join("")).toContain("42");
  });

  it("Ollama: two tool calls in one turn both run, and only the bound server's tools are offered", async () => {
    fake.script(
      "llama-tools",
      { toolCalls: [{ name: "everything__get-sum", arguments: { a: 1, b: 2 } }, { name: "everything__echo", arguments: { message: "hello tools" } }] },
      "done",
    );
    const before = fake.requests.length;
    const parts = await run("llama", "use two tools");
    const [first, second] = fake.requests.slice(before);
    expect(toolNames(first!).every((n) => n.startsWith("everything__"))).toBe(true);
    const messages = (second!.body as { messages: Array<{ role: string; content: string }> }).messages;
    const results = messages.filter((m) => m.role === "tool").map((m) => m.content);
    expect(results).toHaveLength(2);
    expect(results[0]).toContain("3");
    expect(results[1]).toContain("hello tools");
    expect(parts.filter((p) => p.type === "tool-result")).toHaveLength(2);
  });

  it("Anthropic: read_text_file returns the temp file's text as a tool_result block", async () => {
    fake.script("claude-tools", { toolCalls: [{ name: "files__read_text_file", arguments: { path: join(dir, "notes.txt") } }] }, "avocado it is");
    const before = fake.requests.length;
    const answer = await collectStream(await runtime.chat({ model: "claude", messages: [{ role: "user", content: "read my notes" }] }));
    expect(answer.text).toBe("avocado it is");
    const [first, second] = fake.requests.slice(before);
    expect(toolNames(first!)).toEqual(expect.arrayContaining(["files__read_text_file"]));
    expect(toolNames(first!).some((n) => n.startsWith("everything__"))).toBe(false);
    const messages = (second!.body as { messages: Array<{ role: string; content: Array<Record<string, unknown>> }> }).messages;
    const last = messages.at(-1)!;
    expect(last.role).toBe("user");
    expect(last.content[0]).toMatchObject({ type: "tool_result", content: expect.stringContaining("the secret word is avocado") });
  });

  it("a model bound to [] is offered no tools", async () => {
    fake.script("gpt-plain", "no tools here");
    const before = fake.requests.length;
    await run("plain", "hi");
    expect((fake.requests[before]!.body as { tools?: unknown }).tools).toBeUndefined();
  });

  it("lf chat shows each tool call and its outcome on stderr; lf mcp lists servers and tools", async () => {
    fake.script("gpt-tools", { toolCalls: [{ name: "everything__get-sum", arguments: { a: 2, b: 2 } }] }, "four");
    const chat = await runCli(["chat", "--project", dir, "sum please"], { timeoutMs: 60_000 });
    expect(chat.code).toBe(0);
    expect(chat.stdout).toBe("four\n");
    expect(chat.stderr).toMatch(/→ everything\.get-sum\(\{"a":2,"b":2\}\)/);
    expect(chat.stderr).toMatch(/← everything__get-sum returned in \d+ ms: .*4/);

    const mcp = await runCli(["mcp", "--project", dir], { timeoutMs: 60_000 });
    expect(mcp.code).toBe(0);
    expect(mcp.stdout).toMatch(/everything\s+stdio\s+ready\s+\d+ tools/);
    expect(mcp.stdout).toMatch(/files\s+stdio\s+ready\s+\d+ tools/);
    expect(mcp.stdout).toContain("get-sum");
    expect(mcp.stdout).toMatch(/everything .* models: gpt, llama\n/);
    expect(mcp.stdout).toMatch(/files .* models: gpt, claude\n/);
  }, 90_000);
});
