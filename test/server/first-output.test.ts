import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { readLedger } from "../helpers/read-ledger.js";
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
name: ttft
namespace: tests
runtime:
  default_model: gpt
  models:
    - { name: gpt, provider: openai, model: gpt-slow, base_url: "${fake.url}/v1", api_key: test-key }
`,
  );
  server = await startTestServer([file]);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await fake?.close();
});

const CHUNK_DELAY_MS = 150;

/** The first word at once, then three more 150 ms apart: first output early, the answer ~450 ms later. */
function scriptSlowAnswer(): void {
  fake.script("gpt-slow", { text: ["one", " two", " three", " four"], chunkDelayMs: CHUNK_DELAY_MS });
}

function metricSum(metrics: string, stream: "true" | "false"): number {
  const line = metrics.split("\n").find((l) => l.startsWith("lf_time_to_first_token_seconds_sum{") && l.includes('model="gpt"') && l.includes(`stream="${stream}"`));
  return Number(line?.split(" ").pop());
}

describe("time to first output", () => {
  it("is one measurement, whole answers included: the model's first output, in the ledger and /metrics alike", async () => {
    const client = server.client("tests/ttft");
    scriptSlowAnswer();
    const whole = await client.chat.completions.create({ model: "gpt", messages: [{ role: "user", content: "count" }] });
    expect(whole.choices[0]?.message.content).toBe("one two three four");
    scriptSlowAnswer();
    for await (const chunk of await client.chat.completions.create({ model: "gpt", messages: [{ role: "user", content: "count" }], stream: true })) void chunk;

    await new Promise((resolve) => setTimeout(resolve, 300));
    const rows = readLedger(dir, "SELECT ttft_ms, latency_ms FROM requests WHERE outcome = 'ok' ORDER BY id");
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const ttft = row.ttft_ms as number;
      const latency = row.latency_ms as number;
      // The first word, not the whole answer: three chunk delays separate them.
      expect(ttft).toBeLessThan(latency - 2 * CHUNK_DELAY_MS);
    }

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    // /metrics observes the same figure the ledger holds, for the whole answer and the stream.
    expect(metricSum(metrics, "false") * 1000).toBeCloseTo(rows[0]!.ttft_ms as number, 0);
    expect(metricSum(metrics, "true") * 1000).toBeCloseTo(rows[1]!.ttft_ms as number, 0);
  }, 30_000);
});
