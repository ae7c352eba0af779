import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider, type Reply } from "../fake-provider/index.js";
import { eventually, getJson, startTestServer, tempDir, writeProject, type TestServer } from "../server/support.js";

/**
 * One gateway, one project of models on the fake provider in all three wire formats, most of them
 * failing in scripted ways, all chained by fallbacks to one healthy model; hundreds of concurrent
 * requests over real HTTP. Assertions are on outcomes and counts, never on tight timings.
 */

const PROJECT = "chaos/storm";
const REQUESTS = 300;
const CONCURRENCY = 50;
/**
 * The healthy model's `total`, the longest of any model and so the most a request may take. The
 * faulty models' timeouts are a few hundred milliseconds; the healthy one gets seconds, so that a
 * machine slowed by the storm itself does not time out the one model that can answer.
 */
const TOTAL_MS = 8_000;
/** For a loaded machine: scheduling, connection setup, a slow event loop. */
const MARGIN_MS = 3_000;

interface Faulty {
  name: string;
  provider: "openai" | "ollama" | "anthropic";
  modelId: string;
  reply: Reply;
  /** Fails only after output has started (so only a stream can see it happen). */
  afterOutput: boolean;
}

const TEXT = ["one ", "two ", "three ", "four"];
const FAULTY: Faulty[] = [
  { name: "oa-500", provider: "openai", modelId: "gpt-500", reply: { fault: "status", status: 500 }, afterOutput: false },
  { name: "an-429", provider: "anthropic", modelId: "claude-429", reply: { fault: "status", status: 429, headers: { "retry-after": "1" } }, afterOutput: false },
  { name: "ol-reset", provider: "ollama", modelId: "llama-reset", reply: { fault: "reset" }, afterOutput: false },
  { name: "oa-hang", provider: "openai", modelId: "gpt-hang", reply: { fault: "hang" }, afterOutput: false },
  { name: "an-malformed", provider: "anthropic", modelId: "claude-malformed", reply: { text: TEXT, fault: { fault: "malformed" } }, afterOutput: false },
  { name: "ol-cut", provider: "ollama", modelId: "llama-cut", reply: { text: TEXT, fault: { fault: "reset", afterChunks: 2 } }, afterOutput: true },
  { name: "oa-stall", provider: "openai", modelId: "gpt-stall", reply: { text: TEXT, fault: { fault: "hang", afterChunks: 1 } }, afterOutput: true },
];

/**
 * The project's chain: the models that fail before any output, then the healthy one. A model that
 * fails after output is only in the chains of requests that name it.
 */
function projectYaml(url: string): string {
  const base = (provider: Faulty["provider"]) => (provider === "openai" ? `${url}/v1` : url);
  const early = FAULTY.filter((m) => !m.afterOutput).map((m) => m.name);
  const faulty = FAULTY.map(
    (m) => `    - name: ${m.name}
      provider: ${m.provider}
      model: ${m.modelId}
      base_url: ${base(m.provider)}
      api_key: unused`,
  ).join("\n");
  return `version: v1
name: storm
namespace: chaos
runtime:
  default_model: healthy
  fallbacks: [${[...early, "healthy"].join(", ")}]
  timeouts: { connect: 300ms, first_token: 300ms, idle: 200ms, total: 1s }
  retries: { max_attempts: 2, initial_backoff: 10ms, max_backoff: 40ms, max_retry_after: 100ms }
  circuit_breaker: { failure_threshold: 3, cooldown: 200ms }
  models:
${faulty}
    - name: healthy
      provider: openai
      model: gpt-healthy
      base_url: ${url}/v1
      api_key: unused
      timeouts: { connect: 5s, first_token: 5s, idle: 5s, total: ${TOTAL_MS}ms }
      circuit_breaker: { failure_threshold: 1000 }
    - name: cut-whole
      provider: openai
      model: gpt-cut-whole
      base_url: ${url}/v1
      api_key: unused
      fallbacks: [healthy]
      retries: { max_attempts: 1 }
    - name: flappy
      provider: openai
      model: gpt-flappy
      base_url: ${url}/v1
      api_key: unused
      fallbacks: [healthy]
      retries: { max_attempts: 1 }
      timeouts: { connect: 5s, first_token: 5s, total: ${TOTAL_MS}ms }
      circuit_breaker: { failure_threshold: 3, cooldown: 1500ms }
`;
}

type Outcome =
  | { kind: "json-ok"; text: string }
  | { kind: "json-error"; status: number; code: string; message: string }
  | { kind: "sse-done"; text: string }
  | { kind: "sse-error"; code: string; contentChunks: number }
  | { kind: "broken"; detail: string };

interface Result {
  model: string;
  stream: boolean;
  ms: number;
  outcome: Outcome;
}

let fake: FakeProvider;
let server: TestServer;
let chatUrl: string;

beforeAll(async () => {
  fake = await startFakeProvider({ maxRecorded: 10_000 });
  for (const m of FAULTY) fake.always(m.modelId, m.reply);
  fake.always("gpt-healthy", { text: ["all ", "good"], usage: { inputTokens: 5, outputTokens: 2 } });
  const file = await writeProject(tempDir("lf-chaos-"), projectYaml(fake.url));
  server = await startTestServer([file], { level: "warn", watch: false });
  chatUrl = `${server.url}/v1/projects/${PROJECT}/chat/completions`;
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

/** One request with plain fetch, read to its end and sorted into exactly one outcome. */
async function send(model: string, stream: boolean): Promise<Result> {
  const started = performance.now();
  const body = JSON.stringify({ model, stream, messages: [{ role: "user", content: `hello ${model}` }] });
  let outcome: Outcome;
  try {
    const response = await fetch(chatUrl, { method: "POST", headers: { "content-type": "application/json" }, body, signal: AbortSignal.timeout(TOTAL_MS + MARGIN_MS) });
    const text = await response.text();
    outcome = response.headers.get("content-type")?.startsWith("text/event-stream") ? readSse(text) : readJson(response.status, text);
  } catch (error) {
    outcome = { kind: "broken", detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
  return { model, stream, ms: performance.now() - started, outcome };
}

function readJson(status: number, text: string): Outcome {
  // One JSON value, or the response was written twice.
  const value = JSON.parse(text) as { choices?: Array<{ message: { content: string } }>; error?: { message: string; type: string; param: unknown; code: string } };
  if (status === 200 && value.choices !== undefined) return { kind: "json-ok", text: value.choices[0]!.message.content };
  if (status >= 400 && isErrorShape(value)) return { kind: "json-error", status, code: value.error!.code, message: value.error!.message };
  return { kind: "broken", detail: `status ${status}: ${text.slice(0, 200)}` };
}

function isErrorShape(value: { error?: { message: unknown; type: unknown; param: unknown; code: unknown } }): boolean {
  const e = value.error;
  return e !== undefined && typeof e.message === "string" && typeof e.type === "string" && "param" in e && typeof e.code === "string";
}

/** Every event of the stream; exactly one terminal event (`[DONE]` or an error), and it comes last. */
function readSse(text: string): Outcome {
  const events = text.split("\n\n").filter((e) => e.trim() !== "");
  let content = "";
  let contentChunks = 0;
  for (let i = 0; i < events.length; i++) {
    const data = events[i]!.replace(/^data: /, "");
    const last = i === events.length - 1;
    if (data === "[DONE]") return last ? { kind: "sse-done", text: content } : { kind: "broken", detail: "events after [DONE]" };
    const value = JSON.parse(data) as { error?: { code: string }; choices?: Array<{ delta: { content?: string } }> };
    if (value.error !== undefined) {
      if (!last) return { kind: "broken", detail: "events after an error event" };
      if (!isErrorShape(value as never)) return { kind: "broken", detail: `error event not in OpenAI's shape: ${data}` };
      return { kind: "sse-error", code: value.error.code, contentChunks };
    }
    const piece = value.choices?.[0]?.delta.content;
    if (piece) {
      content += piece;
      contentChunks++;
    }
  }
  return { kind: "broken", detail: `the stream ended with neither [DONE] nor an error event after ${contentChunks} chunks` };
}

/** Runs `tasks` with at most `limit` at once. */
async function pool<T>(count: number, limit: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

function tally(results: Result[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of results) {
    const key = `${r.stream ? "stream" : "json"} ${r.outcome.kind}${"code" in r.outcome ? ` ${r.outcome.code}` : ""}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

async function metricsText(): Promise<string> {
  return (await fetch(`${server.url}/metrics`)).text();
}

describe("chaos over real HTTP", () => {
  it(`${REQUESTS} concurrent requests through failing models end once each, in a success or a structured error`, { timeout: 60_000 }, async () => {
    // Streams and whole answers start at every model, the ones that break after output included.
    const entries = [...FAULTY.map((m) => m.name), "healthy"];
    const results = await pool(REQUESTS, CONCURRENCY, (i) => send(entries[Math.floor(i / 2) % entries.length]!, i % 2 === 0));

    const broken = results.filter((r) => r.outcome.kind === "broken");
    expect(broken.map((r) => `${r.model} stream=${r.stream}: ${(r.outcome as { detail: string }).detail}`), JSON.stringify(tally(results))).toEqual([]);

    // Nothing runs past the longest total timeout (plus a margin for a loaded machine).
    const slowest = Math.max(...results.map((r) => r.ms));
    expect(slowest).toBeLessThan(TOTAL_MS + MARGIN_MS);

    // With a healthy model at the end of every chain, nothing fails before its first byte.
    for (const r of results) {
      const o = r.outcome;
      if (o.kind === "json-ok" || o.kind === "sse-done") expect(o.text).toBe("all good");
      if (o.kind === "json-error") expect.fail(`${r.model} (not streamed) failed: ${o.status} ${o.code}: ${o.message}`);
      // A stream fails only once output has reached the client, and then says so in an error event.
      if (o.kind === "sse-error") expect(o.contentChunks, `${r.model}: ${o.code}`).toBeGreaterThan(0);
    }
    expect(results.filter((r) => !r.stream).every((r) => r.outcome.kind === "json-ok")).toBe(true);
    // Streams cut mid-way (a reset, a stall past the idle timeout) were met and said so.
    const codes = new Set(results.flatMap((r) => (r.outcome.kind === "sse-error" ? [r.outcome.code] : [])));
    expect(codes.size, JSON.stringify(tally(results))).toBeGreaterThan(0);

    // Every kind of fault was met on the way.
    for (const m of FAULTY) expect(fake.requests.some((q) => q.model === m.modelId), m.name).toBe(true);

    // Every upstream call has ended (hangs included), and the gateway holds nothing.
    await fake.settled(5_000);
    await eventually(async () => expect(await metricsText()).toMatch(/^lf_requests_in_flight\{project="chaos\/storm"\} 0$/m));
    const text = await metricsText();
    const counted = [...text.matchAll(/^lf_requests_total\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(counted).toBe(REQUESTS);
  });

  // A client that reads the answer whole has received nothing when the upstream breaks midway, so
  // the request still falls back.
  it("a request read whole falls back when its upstream breaks after output, since nothing has reached the client", async () => {
    fake.always("gpt-cut-whole", { text: TEXT, fault: { fault: "reset", afterChunks: 1 } });
    const result = await send("cut-whole", false);
    expect(result.outcome).toEqual({ kind: "json-ok", text: "all good" });
  });

  it("an open circuit stops traffic to its model; after the cooldown exactly one probe goes through", { timeout: 30_000 }, async () => {
    const calls = () => fake.requests.filter((r) => r.model === "gpt-flappy").length;
    const circuit = async () => {
      const { body } = await getJson(`${server.url}/health/ready`);
      return (body.projects[0].models as Array<{ name: string; circuit: string }>).find((m) => m.name === "flappy")!.circuit;
    };
    const gauge = async () => Number(/^lf_circuit_breaker_state\{project="chaos\/storm",model="flappy"\} (\d)$/m.exec(await metricsText())?.[1]);

    fake.always("gpt-flappy", { fault: "status", status: 500 });
    for (let i = 0; i < 3; i++) expect((await send("flappy", i % 2 === 0)).outcome).toMatchObject({ text: "all good" });
    expect(calls()).toBe(3);
    expect(await circuit()).toBe("open");
    expect(await gauge()).toBe(2);

    // Open: every request goes to the fallback and none reaches flappy.
    fake.always("gpt-flappy", { text: "flappy is back", delayMs: 1_500 });
    const whileOpen = await Promise.all(Array.from({ length: 20 }, (_, i) => send("flappy", i % 2 === 0)));
    expect(whileOpen.every((r) => r.outcome.kind === "json-ok" || r.outcome.kind === "sse-done")).toBe(true);
    // On a machine slow enough for the cooldown to end meanwhile, one of them may have been the probe.
    if ((await circuit()) === "open") {
      expect(calls()).toBe(3);
      expect(whileOpen.every((r) => "text" in r.outcome && r.outcome.text === "all good")).toBe(true);
    }

    // After the cooldown: one probe (held by the fake for 1.5 s), the rest go around it.
    await eventually(async () => expect(await circuit()).toBe("half_open"), 5_000);
    const before = calls();
    const probing = await Promise.all(Array.from({ length: 10 }, (_, i) => send("flappy", i % 2 === 0)));
    expect(calls() - before).toBe(1);
    const texts = probing.map((r) => ("text" in r.outcome ? r.outcome.text : r.outcome.kind));
    expect(texts.filter((t) => t === "flappy is back")).toHaveLength(1);
    expect(texts.filter((t) => t === "all good")).toHaveLength(9);
    expect(await circuit()).toBe("closed");
    expect(await gauge()).toBe(0);
  });
});
