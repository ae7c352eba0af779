import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime, StreamPart } from "../../runtime/index.js";
import { toPromptTools } from "../../runtime/tools/prompt-tool-format.js";
import { ToolCallTextParser, type ParsedPiece } from "../../runtime/tools/tool-call-text-parser.js";
import { startFakeProvider, type FakeProvider, type RecordedRequest } from "../fake-provider/index.js";
import { everythingServerYaml, projectRuntime } from "../helpers/project-runtime.js";
import { runCli } from "../helpers/run-cli.js";

function parseAll(chunks: string[]): ParsedPiece[] {
  const parser = new ToolCallTextParser();
  const pieces = [...chunks.flatMap((chunk) => parser.feed(chunk)), ...parser.end()];
  // Adjacent text pieces are one text, however the stream cut it.
  return pieces.reduce<ParsedPiece[]>((out, piece) => {
    const last = out.at(-1);
    if (piece.type === "text" && last?.type === "text") last.text += piece.text;
    else out.push({ ...piece });
    return out;
  }, []);
}

describe("reading <tool_call> blocks out of streamed text", () => {
  it("passes text through and reads a call whose tags are cut across chunks", () => {
    const text = 'Let me add.\n<tool_call>\n{"name": "sum", "arguments": {"a": 1, "b": 2}}\n</tool_call>';
    for (let cut = 1; cut < text.length; cut++) {
      expect(parseAll([text.slice(0, cut), text.slice(cut)])).toEqual([
        { type: "text", text: "Let me add.\n" },
        { type: "call", name: "sum", arguments: '{"a":1,"b":2}' },
      ]);
    }
  });

  it("reads several calls, a fenced block, `parameters`, string arguments and OpenAI's function shape", () => {
    const text = [
      '<tool_call>```json\n{"name": "a", "parameters": {"x": 1}}\n```</tool_call>',
      '<tool_call>{"name": "b", "arguments": "{\\"y\\": 2}"}</tool_call>',
      '<tool_call>{"function": {"name": "c", "arguments": {}}}</tool_call>',
    ].join("\n");
    expect(parseAll([text]).filter((p) => p.type === "call")).toEqual([
      { type: "call", name: "a", arguments: '{"x":1}' },
      { type: "call", name: "b", arguments: '{"y": 2}' },
      { type: "call", name: "c", arguments: "{}" },
    ]);
  });

  it("reads a last block the model left unclosed, and keeps blocks that are not calls as text", () => {
    expect(parseAll(['<tool_call>{"name": "late", "arguments": {"k": true}}'])).toEqual([{ type: "call", name: "late", arguments: '{"k":true}' }]);
    expect(parseAll(["<tool_call>not json</tool_call> and on"])).toEqual([{ type: "text", text: "<tool_call>not json</tool_call> and on" }]);
    expect(parseAll(["<tool_call>{\"arguments\": {}}"])).toEqual([{ type: "text", text: '<tool_call>{"arguments": {}}' }]);
    expect(parseAll(["a < b and <tool"])).toEqual([{ type: "text", text: "a < b and <tool" }]);
  });
});

describe("a request written for a model without native tools", () => {
  const tools = [{ name: "sum", description: "Adds two numbers", parameters: { type: "object", properties: { a: { type: "number" } } } }];

  it("lists the tools in the system prompt, not in the tool field", () => {
    const out = toPromptTools({ messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "1+2?" }], parameters: {}, tools, toolChoice: "auto" });
    expect(out.tools).toBeUndefined();
    expect(out.toolChoice).toBeUndefined();
    const system = out.messages[0]!.content as string;
    expect(system.startsWith("Be brief.\n\n# Tools")).toBe(true);
    expect(system).toContain('<tools>\n{"type":"function","function":{"name":"sum","description":"Adds two numbers","parameters":{"type":"object","properties":{"a":{"type":"number"}}}}}\n</tools>');
    expect(system).toContain("<tool_call>");
  });

  it("adds a system message when there is none, and follows tool_choice", () => {
    const none = toPromptTools({ messages: [{ role: "user", content: "hi" }], parameters: {}, tools, toolChoice: "none" });
    expect(none.messages).toEqual([{ role: "user", content: "hi" }]);
    const forced = toPromptTools({ messages: [{ role: "user", content: "hi" }], parameters: {}, tools, toolChoice: { name: "sum" } });
    expect(forced.messages[0]).toMatchObject({ role: "system", content: expect.stringContaining("You must call sum now.") });
  });

  it("writes earlier calls and results as text: a <tool_call> in the assistant turn, <tool_response> in a user turn", () => {
    const out = toPromptTools({
      parameters: {},
      messages: [
        { role: "user", content: "1+2 and 3+4?" },
        { role: "assistant", content: null, toolCalls: [{ id: "c1", name: "sum", arguments: '{"a":1,"b":2}' }, { id: "c2", name: "sum", arguments: '{"a":3,"b":4}' }] },
        { role: "tool", toolCallId: "c1", content: "3" },
        { role: "tool", toolCallId: "c2", content: "failed", isError: true },
      ],
    });
    expect(out.messages).toEqual([
      { role: "user", content: "1+2 and 3+4?" },
      {
        role: "assistant",
        content: '<tool_call>\n{"name": "sum", "arguments": {"a":1,"b":2}}\n</tool_call>\n<tool_call>\n{"name": "sum", "arguments": {"a":3,"b":4}}\n</tool_call>',
      },
      {
        role: "user",
        content: '<tool_response>\n{"name":"sum","content":"3"}\n</tool_response>\n<tool_response>\n{"name":"sum","content":"failed","error":true}\n</tool_response>',
      },
    ]);
  });
});

describe("tool_call_strategy: prompt_based through the fake provider", () => {
  let fake: FakeProvider;
  let dir: string;
  let runtime: Runtime;

  const project = () => `version: v1
name: prompt-tools
namespace: tests
mcp:
  servers:
${everythingServerYaml()}prompts:
  - name: default
    messages:
      - role: system
        content: You add numbers.
runtime:
  default_model: plain
  models:
    - name: plain
      provider: openai
      model: no-native-tools
      base_url: ${fake.url}/v1
      api_key: test-key
      tool_call_strategy: prompt_based
      mcp_servers: [{ server: everything, tools: [get-sum] }]
    - name: client-tools
      provider: ollama
      model: ollama-no-tools
      base_url: ${fake.url}
      tool_call_strategy: prompt_based
      mcp_servers: []
`;

  beforeAll(async () => {
    fake = await startFakeProvider();
    dir = mkdtempSync(join(tmpdir(), "lf-prompt-tools-"));
    runtime = projectRuntime(dir, project());
  }, 60_000);

  afterAll(async () => {
    await runtime?.close();
    await fake?.close();
  });

  const messagesOf = (request: RecordedRequest) => (request.body as { messages: Array<{ role: string; content: string }> }).messages;
  /** The second call answers with the sum it finds in the tool response, so the answer proves the round trip. */
  const answerFromResponse = (request: RecordedRequest) => {
    const last = messagesOf(request).at(-1)!;
    const content = /<tool_response>\n\{"name":"everything__get-sum","content":"([^"]*)"\}/.exec(last.content)?.[1];
    const sum = content?.match(/\d+/g)?.at(-1);
    return { text: last.role === "user" && sum ? `The sum is ${sum}.` : "no tool response" };
  };

  it("completes an MCP round trip: tools in the prompt, the call read from the text, the result sent back as text", async () => {
    fake.script(
      "no-native-tools",
      { text: ["I will add them.\n<tool", '_call>\n{"name": "everything__get-sum", ', '"arguments": {"a": 19, "b": 23}}\n</tool_', "call>\n"] },
      answerFromResponse,
    );
    const before = fake.requests.length;
    const parts: StreamPart[] = [];
    for await (const part of await runtime.chat({ messages: [{ role: "user", content: "What is 19 + 23?" }] })) parts.push(part);
    const [first, second] = fake.requests.slice(before);

    expect((first!.body as { tools?: unknown }).tools).toBeUndefined();
    const system = messagesOf(first!)[0]!;
    expect(system.role).toBe("system");
    expect(system.content).toMatch(/^You add numbers\.\n\n# Tools/);
    expect(system.content).toContain('"name":"everything__get-sum"');
    expect(system.content).not.toContain("everything__echo");

    const sent = messagesOf(second!);
    expect(sent.some((m) => m.role === "tool")).toBe(false);
    expect(sent.at(-2)).toMatchObject({ role: "assistant", content: expect.stringContaining('<tool_call>\n{"name": "everything__get-sum", "arguments": {"a":19,"b":23}}') });
    expect(sent.at(-1)!.content).toContain("42");

    const text = parts.filter((p) => p.type === "text-delta").map((p) => (p as { text: string }).text).join("");
    expect(text).toBe("I will add them.\nThe sum is 42.");
    expect(parts.find((p) => p.type === "tool-start")).toMatchObject({ server: "everything", tool: "get-sum", toolCall: { arguments: '{"a":19,"b":23}' } });
    expect(parts.find((p) => p.type === "tool-result")).toMatchObject({ isError: false, output: expect.stringContaining("42") });
    expect(parts.at(-1)).toEqual({ type: "finish", finishReason: "stop" });
  });

  it("lf chat shows the prompt-based tool call and its outcome, and prints the answer", async () => {
    fake.script("no-native-tools", { text: '<tool_call>{"name": "everything__get-sum", "arguments": {"a": 2, "b": 2}}</tool_call>' }, answerFromResponse);
    const result = await runCli(["chat", "--project", dir, "2+2?"], { timeoutMs: 60_000 });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("The sum is 4.\n");
    expect(result.stderr).toMatch(/→ everything\.get-sum\(\{"a":2,"b":2\}\)/);
    expect(result.stderr).toMatch(/← everything__get-sum returned in \d+ ms/);
  }, 90_000);

  it("returns a call to one of the client's tools, read from the text, as a tool call", async () => {
    fake.script("ollama-no-tools", { text: 'Checking.<tool_call>{"name": "lookup", "arguments": {"q": "llamas"}}</tool_call>' });
    const before = fake.requests.length;
    const parts: StreamPart[] = [];
    const tools = [{ name: "lookup", parameters: { type: "object", properties: { q: { type: "string" } } } }];
    for await (const part of await runtime.chat({ model: "client-tools", messages: [{ role: "user", content: "look up llamas" }], tools })) parts.push(part);
    const request = fake.requests[before]!;
    expect((request.body as { tools?: unknown }).tools).toBeUndefined();
    expect(messagesOf(request)[0]!.content).toContain('"name":"lookup"');
    expect(parts.filter((p) => p.type !== "usage")).toEqual([
      { type: "text-delta", text: "Checking." },
      { type: "tool-call", toolCall: { id: expect.stringMatching(/^call_/), name: "lookup", arguments: '{"q":"llamas"}' } },
      { type: "finish", finishReason: "tool-calls" },
    ]);
  });
});
