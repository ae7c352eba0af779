import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { startTestServer, tempDir, writeProject, type TestServer } from "./support.js";

/**
 * A model whose upstream accepts the connection and never answers, for each wire, with the default
 * timeouts (connect 10 s, first token 60 s, total 5 m) and retries: the request is answered by the
 * backup, streamed or whole, long before the total runs out.
 */
const WIRES = [
  { name: "hung-openai", provider: "openai", model: "gpt-hung", path: "/v1" },
  { name: "hung-ollama", provider: "ollama", model: "llama-hung", path: "" },
  { name: "hung-anthropic", provider: "anthropic", model: "claude-hung", path: "" },
] as const;

let fake: FakeProvider;
let server: TestServer;

beforeAll(async () => {
  fake = await startFakeProvider();
  for (const wire of WIRES) fake.always(wire.model, { fault: "hang" });
  fake.always("gpt-backup", "answered by the backup");
  const models = WIRES.map(
    (w) => `    - name: ${w.name}
      provider: ${w.provider}
      model: ${w.model}
      base_url: ${fake.url}${w.path}
      api_key: test-key
      fallbacks: [backup]`,
  ).join("\n");
  const file = await writeProject(
    tempDir(),
    `version: v1
name: hung
namespace: tests
runtime:
  default_model: backup
  models:
${models}
    - name: backup
      provider: openai
      model: gpt-backup
      base_url: ${fake.url}/v1
      api_key: test-key
`,
  );
  server = await startTestServer([file], { level: "info" });
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
});

async function ask(model: string, stream: boolean): Promise<{ status: number; text: string; servedBy: string | null; ms: number }> {
  const started = Date.now();
  const response = await fetch(`${server.url}/v1/projects/tests/hung/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, stream, messages: [{ role: "user", content: "hello" }] }),
  });
  const body = await response.text();
  const text = stream
    ? body
        .split("\n")
        .filter((line) => line.startsWith("data: {"))
        .map((line) => (JSON.parse(line.slice(6)) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content ?? "")
        .join("")
    : ((JSON.parse(body) as { choices?: Array<{ message: { content: string } }> }).choices?.[0]?.message.content ?? body);
  return { status: response.status, text, servedBy: response.headers.get("x-lf-model"), ms: Date.now() - started };
}

describe("a hung model with the default timeouts", () => {
  it("is passed over at its connect deadline on every wire, streamed or not, and the backup answers", async () => {
    const cases = WIRES.flatMap((w) => [true, false].map((stream) => ({ model: w.name, stream })));
    const answers = await Promise.all(cases.map((c) => ask(c.model, c.stream)));
    for (const [i, answer] of answers.entries()) {
      const label = `${cases[i]!.model} stream=${cases[i]!.stream}`;
      expect(answer, label).toMatchObject({ status: 200, text: "answered by the backup", servedBy: "backup" });
      // Connect (10 s) and no retry of a timed-out model while the backup can answer; the total is 5 min.
      expect(answer.ms, label).toBeLessThan(20_000);
    }
    const hungCalls = fake.requests.filter((r) => r.model?.endsWith("-hung"));
    expect(hungCalls).toHaveLength(cases.length);
    await fake.settled(5_000);
    // Every hung call was cancelled, not left open.
    expect(hungCalls.every((r) => r.aborted)).toBe(true);
  }, 40_000);
});
