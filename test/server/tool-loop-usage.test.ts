import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { readLedger } from "../helpers/read-ledger.js";
import { EVERYTHING_BIN } from "../tools/support/servers.js";
import { startTestServer, tempDir, writeProject, type TestServer } from "./support.js";

let fake: FakeProvider;
let server: TestServer;
let dir: string;

beforeAll(async () => {
  fake = await startFakeProvider();
  dir = tempDir();
  const file = await writeProject(
    dir,
    `version: v1
name: tools
namespace: tests
mcp:
  servers:
    - name: everything
      transport: stdio
      command: ${JSON.stringify(process.execPath)}
      args: [${JSON.stringify(EVERYTHING_BIN)}, stdio]
runtime:
  default_model: gpt
  models:
    - { name: gpt, provider: openai, model: gpt-tools, base_url: "${fake.url}/v1", api_key: test-key }
    - { name: llama, provider: ollama, model: llama-tools, base_url: "${fake.url}" }
    - { name: claude, provider: anthropic, model: claude-tools, base_url: "${fake.url}", api_key: test-key }
`,
  );
  server = await startTestServer([file], { level: "info" });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await fake?.close();
});

/** Two tool round trips, then the answer: three provider calls, each reporting its own usage. */
function scriptLoop(upstreamModel: string): void {
  fake.script(
    upstreamModel,
    { toolCalls: [{ name: "everything__get-sum", arguments: { a: 1, b: 2 } }], usage: { inputTokens: 100, outputTokens: 10 } },
    { toolCalls: [{ name: "everything__get-sum", arguments: { a: 3, b: 4 } }], usage: { inputTokens: 150, outputTokens: 12 } },
    { text: "the sums are 3 and 7", usage: { inputTokens: 200, outputTokens: 20 } },
  );
}

const SUM = { prompt_tokens: 450, completion_tokens: 42, total_tokens: 492 };

describe("a tool loop's usage", () => {
  it.each([
    ["gpt", "gpt-tools"],
    ["llama", "llama-tools"],
    ["claude", "claude-tools"],
  ])("is the provider's usage summed over every call of the turn (%s): in the answer, the final stream chunk, the ledger and /metrics", async (model, upstreamModel) => {
    const client = server.client("tests/tools");
    scriptLoop(upstreamModel);
    const whole = await client.chat.completions.create({ model, messages: [{ role: "user", content: "add" }] });
    expect(whole.choices[0]?.message.content).toBe("the sums are 3 and 7");
    expect(whole.usage).toEqual(SUM);

    scriptLoop(upstreamModel);
    let last: unknown;
    for await (const chunk of await client.chat.completions.create({ model, messages: [{ role: "user", content: "add" }], stream: true, stream_options: { include_usage: true } })) {
      if (chunk.usage) last = chunk.usage;
    }
    expect(last).toEqual(SUM);

    // Committed within 100 ms.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(readLedger(dir, `SELECT input_tokens, output_tokens, estimated FROM requests WHERE outcome = 'ok' AND served_model = '${model}' ORDER BY id`)).toEqual([
      { input_tokens: 450, output_tokens: 42, estimated: 0 },
      { input_tokens: 450, output_tokens: 42, estimated: 0 },
    ]);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const tokens = (direction: string) => metrics.split("\n").find((line) => line.startsWith("lf_tokens_total{") && line.includes(`model="${model}"`) && line.includes(`direction="${direction}"`) && line.includes('estimated="false"'));
    expect(tokens("input")).toMatch(/ 900$/);
    expect(tokens("output")).toMatch(/ 84$/);
  }, 60_000);
});
