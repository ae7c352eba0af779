import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Runtime, StreamPart } from "../../runtime/index.js";
import { disposeLlamaCppModels } from "../../runtime/providers/llamacpp/index.js";
import { toPromptTools } from "../../runtime/tools/prompt-tool-format.js";
import { everythingServerYaml, projectRuntime } from "../helpers/project-runtime.js";
import { writeTinyGguf } from "../helpers/tiny-gguf.js";

/**
 * `tool_call_strategy: prompt_based` on a real in-process model. The tiny model has random weights, so it
 * never writes a tool call of its own accord: what this proves is that the tool definitions reach the
 * model's prompt (its input grows by the tools block) and that its answer runs through the prompt-based
 * adapter and the tool loop to a normal end. Reading a call back from the text is proven on the fake
 * provider (test/tools/prompt-based-tools.test.ts).
 */
const dir = mkdtempSync(join(tmpdir(), "lf-llamacpp-prompt-tools-"));
let runtime: Runtime;

const model = (name: string, binding: string) => `    - name: ${name}
      provider: llamacpp
      model: ./tiny.gguf
      llamacpp: { threads: 1 }
      tool_call_strategy: prompt_based
      mcp_servers: ${binding}
      model_api_parameters: { max_tokens: 8, seed: 3, temperature: 0, num_ctx: 2048 }
`;

beforeAll(async () => {
  writeTinyGguf(join(dir, "tiny.gguf"), { seed: 7, contextLength: 2048 });
  const text = `version: v1
name: tiny-tools
namespace: tests
mcp:
  servers:
${everythingServerYaml()}runtime:
  default_model: prompted
  models:
${model("prompted", "[{ server: everything, tools: [get-sum] }]")}${model("bare", "[]")}`;
  runtime = projectRuntime(dir, text);
}, 60_000);

afterAll(async () => {
  await runtime?.close();
  await disposeLlamaCppModels();
  rmSync(dir, { recursive: true, force: true });
});

async function run(name: string): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of await runtime.chat({ model: name, messages: [{ role: "user", content: "What is 2 + 3?" }] })) parts.push(part);
  return parts;
}

const inputTokens = (parts: StreamPart[]) => (parts.find((p) => p.type === "usage") as { usage: { inputTokens: number } }).usage.inputTokens;

describe("prompt-based tools on the in-process llama.cpp model", () => {
  it("puts the MCP tool definitions in the prompt and ends through the tool loop", async () => {
    const prompted = await run("prompted");
    const bare = await run("bare");

    const getSum = (await runtime.mcp.listTools("everything")).find((t) => t.name === "get-sum")!;
    const block = toPromptTools({
      messages: [],
      parameters: {},
      tools: [{ name: "everything__get-sum", ...(getSum.description ? { description: getSum.description } : {}), parameters: { ...getSum.inputSchema } }],
    }).messages[0]!.content as string;
    // A byte-level vocabulary with few merges: the block costs between half a token and a token per character.
    const added = inputTokens(prompted) - inputTokens(bare);
    expect(added).toBeGreaterThanOrEqual(Math.floor(block.length / 2));
    expect(added).toBeLessThanOrEqual(block.length + 16);

    for (const parts of [prompted, bare]) {
      expect(parts.some((p) => p.type === "error")).toBe(false);
      expect(parts.filter((p) => p.type === "text-delta").length).toBeGreaterThan(0);
      expect(parts.at(-1)).toMatchObject({ type: "finish", finishReason: expect.stringMatching(/^(stop|length)$/) });
    }
    // Random weights write no <tool_call>, so no tool ran.
    expect(prompted.some((p) => p.type === "tool-start" || p.type === "tool-call")).toBe(false);
  }, 120_000);
});
