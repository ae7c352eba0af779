import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { TEST_ENV, eventually, startTestServer, tempDir, writeProject, type TestServer } from "./support.js";

const ADMIN = "metrics-admin-0123456789";
const LIMITED = "metrics-limited-0123456789";
let fake: FakeProvider;
let server: TestServer;
let client: OpenAI;
const messages = [{ role: "user" as const, content: "hi" }];
const PROJECT = "tests/metered";

function yaml(url: string): string {
  return `version: v1
name: metered
namespace: tests
server:
  api_keys:
    - \${env:LF_METRICS_ADMIN}
    - { key: "\${env:LF_METRICS_LIMITED}", projects: [tests/metered] }
runtime:
  default_model: primary
  retries: { max_attempts: 2, initial_backoff: 5ms, max_backoff: 10ms }
  timeouts: { first_token: 5s, total: 10s }
  circuit_breaker: { failure_threshold: 5, cooldown: 60s }
  models:
    - name: primary
      provider: openai
      model: gpt-primary
      base_url: ${url}/v1
      api_key: unused
      fallbacks: [backup]
      pricing: { input_per_1k: 1, output_per_1k: 2 }
    - name: backup
      provider: anthropic
      model: claude-backup
      base_url: ${url}
      api_key: unused
      pricing: { input_per_1k: 1, output_per_1k: 2 }
    - name: flaky
      provider: ollama
      model: llama-flaky
      base_url: ${url}
      retries: { max_attempts: 1 }
      circuit_breaker: { failure_threshold: 2, cooldown: 60s }
`;
}

/** One scrape, as `name{labels}` -> value. */
async function scrape(key = ADMIN): Promise<Map<string, number>> {
  const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${key}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  const samples = new Map<string, number>();
  for (const line of (await response.text()).split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** A sample by name and labels, in the order prom-client writes them (the metric's label order). */
function value(samples: Map<string, number>, name: string, labels: Record<string, string> = {}): number | undefined {
  const text = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",");
  return samples.get(text === "" ? name : `${name}{${text}}`);
}

beforeAll(async () => {
  Object.assign(TEST_ENV, { LF_METRICS_ADMIN: ADMIN, LF_METRICS_LIMITED: LIMITED });
  fake = await startFakeProvider();
  const file = await writeProject(tempDir("lf-metrics-"), yaml(fake.url));
  server = await startTestServer([file], { level: "warn" });
  client = server.client(PROJECT, { apiKey: ADMIN });
});
beforeEach(() => fake.reset());
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

describe("GET /metrics", () => {
  it("follows the API keys: 401 without one, 403 for a key limited to some projects", async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const limited = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${LIMITED}` } });
    expect(limited.status).toBe(403);
    expect(await limited.json()).toMatchObject({ error: { type: "permission_error", code: "metrics_forbidden" } });
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it("counts requests by model, outcome and stream; tokens, cost, fallbacks, retries and circuit states", async () => {
    // 1: answered at once.
    fake.script("gpt-primary", { text: "hello", usage: { inputTokens: 10, outputTokens: 5 } });
    await client.chat.completions.create({ model: "primary", messages });
    // 2: one retry on the same model, then an answer.
    fake.script("gpt-primary", { fault: "status", status: 500 }, { text: "again", usage: { inputTokens: 10, outputTokens: 5 } });
    await client.chat.completions.create({ model: "primary", messages });
    // 3: primary fails twice (a retry), backup answers a stream: a fallback.
    fake.script("gpt-primary", { fault: "status", status: 500 }, { fault: "status", status: 503 });
    fake.script("claude-backup", { text: ["from ", "backup"], usage: { inputTokens: 20, outputTokens: 10 } });
    let streamed = "";
    for await (const chunk of await client.chat.completions.create({ model: "primary", messages, stream: true })) streamed += chunk.choices[0]?.delta.content ?? "";
    expect(streamed).toBe("from backup");
    // 4: two failures open flaky's circuit; the third request finds it open and calls nothing.
    fake.always("llama-flaky", { fault: "status", status: 500 });
    for (let i = 0; i < 3; i++) {
      const error = await client.chat.completions.create({ model: "flaky", messages }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.APIError);
    }
    expect(fake.requests.filter((r) => r.model === "llama-flaky")).toHaveLength(2);
    // 5: a model the project does not have.
    expect(await client.chat.completions.create({ model: "nope", messages }).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError);

    const m = await scrape();
    const requests = (model: string, outcome: string, stream: boolean) => value(m, "lf_requests_total", { project: PROJECT, model, outcome, stream: String(stream) });
    expect(requests("primary", "ok", false)).toBe(2);
    expect(requests("backup", "ok", true)).toBe(1);
    expect(requests("flaky", "all_models_failed", false)).toBe(3);
    expect(requests("none", "model_not_found", false)).toBe(1);

    expect(value(m, "lf_retries_total", { project: PROJECT, model: "primary" })).toBe(2);
    expect(value(m, "lf_fallbacks_total", { project: PROJECT, model: "backup" })).toBe(1);
    expect(value(m, "lf_fallbacks_total", { project: PROJECT, model: "primary" })).toBeUndefined();
    expect(value(m, "lf_circuit_breaker_state", { project: PROJECT, model: "flaky" })).toBe(2);
    expect(value(m, "lf_circuit_breaker_state", { project: PROJECT, model: "primary" })).toBe(0);

    const tokens = (model: string, direction: string) => value(m, "lf_tokens_total", { project: PROJECT, model, direction, estimated: "false" });
    expect(tokens("primary", "input")).toBe(20);
    expect(tokens("primary", "output")).toBe(10);
    expect(tokens("backup", "input")).toBe(20);
    expect(tokens("backup", "output")).toBe(10);
    // (10 in at $1/1k + 5 out at $2/1k) twice, then (20 + 20) thousandths for backup.
    expect(value(m, "lf_cost_dollars_total", { project: PROJECT, model: "primary" })).toBeCloseTo(0.04, 10);
    expect(value(m, "lf_cost_dollars_total", { project: PROJECT, model: "backup" })).toBeCloseTo(0.04, 10);

    expect(value(m, "lf_request_duration_seconds_count", { project: PROJECT, model: "primary", stream: "false" })).toBe(2);
    expect(value(m, "lf_upstream_duration_seconds_count", { project: PROJECT, model: "backup" })).toBe(1);
    expect(value(m, "lf_overhead_seconds_count", { project: PROJECT, model: "flaky" })).toBe(3);
    expect(value(m, "lf_time_to_first_token_seconds_count", { project: PROJECT, model: "backup", stream: "true" })).toBe(1);
    expect(value(m, "lf_requests_in_flight", { project: PROJECT })).toBe(0);
  });

  it("shows requests in flight while they run, and 0 once they are done", async () => {
    fake.script("gpt-primary", { text: ["slow ", "answer"], delayMs: 400 }, { text: "slow too", delayMs: 400 });
    const stream = (async () => {
      let text = "";
      for await (const chunk of await client.chat.completions.create({ model: "primary", messages, stream: true })) text += chunk.choices[0]?.delta.content ?? "";
      return text;
    })();
    const whole = client.chat.completions.create({ model: "primary", messages });
    await eventually(async () => expect(value(await scrape(), "lf_requests_in_flight", { project: PROJECT })).toBe(2));
    expect(await stream).toBe("slow answer");
    expect((await whole).choices[0]?.message.content).toBe("slow too");
    await eventually(async () => expect(value(await scrape(), "lf_requests_in_flight", { project: PROJECT })).toBe(0));
  });

  it("counts a client that leaves mid-stream as aborted, and lets the gauge down", async () => {
    fake.script("gpt-primary", { text: ["a ", "b ", "c ", "d"], chunkDelayMs: 150 });
    const controller = new AbortController();
    const stream = await client.chat.completions.create({ model: "primary", messages, stream: true }, { signal: controller.signal });
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) break;
    }
    controller.abort();
    await eventually(async () => {
      const m = await scrape();
      expect(value(m, "lf_requests_total", { project: PROJECT, model: "primary", outcome: "aborted", stream: "true" })).toBe(1);
      expect(value(m, "lf_requests_in_flight", { project: PROJECT })).toBe(0);
    });
  });
});
