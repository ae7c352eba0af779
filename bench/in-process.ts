/**
 * Where lf's CPU per request goes, measured inside one process so other processes on the machine barely
 * move the figures: the runtime alone (routing, prompts, limits, breaker, usage) on a model that answers
 * at once, then the runtime with the real OpenAI-compatible adapter against the fake upstream over
 * loopback, next to a bare undici request to the same fake. See bench/README.md.
 *
 *   npm run bench:in-process [-- --requests N]
 */
import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Pool } from "undici";
import { parseProject, type ResolvedProject } from "../runtime/config/index.js";
import type { ModelAdapter, StreamPart } from "../runtime/core/index.js";
import { Runtime } from "../runtime/runtime.js";
import { MemoryStateStore } from "../runtime/state/index.js";
import { openTracing, type Tracing } from "../runtime/telemetry/index.js";
import { openProjectUsage } from "../runtime/usage/index.js";
import { PostgresServer } from "../test/helpers/postgres-server.js";
import { BENCH_ENV, BENCH_MODELS, benchProjectYaml, UPSTREAM_MODEL } from "./bench-project.js";
import { PATHS } from "./bench-setup.js";
import { ChildProcesses, waitForLine } from "./child-processes.js";

const { values } = parseArgs({
  options: { requests: { type: "string", default: "20000" }, concurrency: { type: "string", default: "16" }, "skip-postgres": { type: "boolean", default: false }, "skip-tracing": { type: "boolean", default: false } },
});
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = 3;

/** The benchmark's own project (bench-project.ts), every model pointing at `baseUrl`. */
function projectYaml(baseUrl: string): string {
  return benchProjectYaml({ fake: baseUrl, stamped: baseUrl, arrival: baseUrl, serverPort: 0 });
}

const ANSWER: StreamPart[] = [
  { type: "text-delta", text: "Hello from the fake provider." },
  { type: "usage", usage: { inputTokens: 10, outputTokens: 5 } },
  { type: "finish", finishReason: "stop" },
];
const messages = [{ role: "user" as const, content: "Say hello in one short sentence." }];

/** A model that answers at once, whole or streamed. */
function instantAdapter(modelId: string): ModelAdapter {
  return {
    provider: "openai",
    modelId,
    async *stream() {
      yield* ANSWER;
    },
  };
}

/**
 * CPU time of this process per request, over `REQUESTS` requests with `CONCURRENCY` in flight; the best
 * of three rounds. `settle` runs inside each round after its requests: work they left behind (rows
 * still to commit or ship) is counted too.
 */
async function measure(label: string, one: () => Promise<unknown>, settle: () => Promise<void> = async () => undefined): Promise<void> {
  const figures: number[] = [];
  let rate = 0;
  for (let round = 0; round < ROUNDS; round++) {
    let started = 0;
    const before = process.cpuUsage();
    const from = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (started++ < REQUESTS) await one();
      }),
    );
    await settle();
    const used = process.cpuUsage(before);
    figures.push((used.user + used.system) / REQUESTS);
    rate = Math.max(rate, REQUESTS / ((performance.now() - from) / 1000));
  }
  const best = Math.min(...figures);
  process.stdout.write(`${label.padEnd(52)} ${best.toFixed(1).padStart(7)} µs CPU/request  (rounds: ${figures.map((f) => f.toFixed(1)).join(", ")}; ${rate.toFixed(0)} req/s)\n`);
}

function chatOnce(runtime: Runtime): () => Promise<unknown> {
  return async () => {
    // As the server does: a signal per request for the client going away.
    const controller = new AbortController();
    const run = await runtime.chat({ messages, parameters: { max_tokens: 64 }, model: BENCH_MODELS.load, stream: false, signal: controller.signal });
    return run.collect();
  };
}

/** As `chatOnce`, inside a request span as the server opens one: a span per request and per call. */
function tracedChatOnce(runtime: Runtime, tracing: Tracing): () => Promise<unknown> {
  const req = { headers: {}, method: "POST", url: "/v1/chat/completions" } as unknown as IncomingMessage;
  return async () => {
    const res = Object.assign(new EventEmitter(), { headersSent: true, statusCode: 200 }) as unknown as ServerResponse;
    const span = tracing.request(req, res, { operation: "chat", model: BENCH_MODELS.load, project: "bench/bench", wire: "openai-chat", requestId: "bench", stream: false });
    const controller = new AbortController();
    const run = await runtime.chat({ messages, parameters: { max_tokens: 64 }, model: BENCH_MODELS.load, stream: false, signal: controller.signal, trace: span });
    const parts = await run.collect();
    span.settle({ responseModel: run.servedBy, provider: run.provider, usage: run.usage, finishReason: "stop", calls: 1 });
    res.emit("close");
    return parts;
  };
}

/** The real adapter again with tracing on, exporting to a sink in its own process; export is counted. */
async function measureTraced(project: ResolvedProject): Promise<void> {
  const sinkChild = children.start("otlp sink", process.execPath, [PATHS.sinkCli, "--port", "0"]);
  const sink = (await waitForLine(sinkChild, /^listening (\S+)\n/m, 15_000))[1]!;
  const tracing = (await openTracing({ otlpEndpoint: sink, headers: {}, serviceName: "lf-bench" }, {}))!;
  const runtime = new Runtime(project);
  await measure("runtime + OpenAI adapter, traced (spans exported)", tracedChatOnce(runtime, tracing), () => tracing.flush());
  await tracing.shutdown();
  await runtime.close();
  const { spans } = (await (await fetch(`${sink}/count`)).json()) as { spans: number };
  // Spans beyond the SDK's queue are dropped under overload, as in production; the count says how many arrived.
  process.stdout.write(`${"".padEnd(52)} (${spans} of ${2 * ROUNDS * REQUESTS} spans reached the collector)\n`);
}

/** The same, with the ledger in PostgreSQL: rows committed locally, then shipped in batches. */
async function measurePostgresLedger(store: MemoryStateStore): Promise<void> {
  const postgres = await PostgresServer.start();
  try {
    const url = await postgres.createDatabase("bench");
    const yaml = `${projectYaml("http://127.0.0.1:9")}\nusage:\n  database_url: ${url}\n`;
    const project = parseProject(yaml, join(dir, "pg", "llamafarm.yaml"), { env: BENCH_ENV }).project!;
    const usage = await openProjectUsage(project, { store, file: join(dir, "pg", "usage.db") });
    const shipped = async () => {
      usage.ledger.flush();
      while (((await usage.ledger.backlog())?.rows ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await measure("runtime, instant model, usage ledger in PostgreSQL", chatOnce(new Runtime(project, { adapterFor: (m) => instantAdapter(m.modelId), store, usage })), shipped);
    await usage.close();
    const [row] = await postgres.query("bench", "SELECT COUNT(*) AS n FROM lf_usage_requests");
    process.stdout.write(`${"".padEnd(52)} (${row?.n} rows shipped to PostgreSQL)\n`);
  } finally {
    await postgres.close();
  }
}

const children = new ChildProcesses();
const dir = mkdtempSync(join(tmpdir(), "lf-in-process-"));
try {
  const fake = children.start("fake", process.execPath, [PATHS.fakeCli, "--port", "0", "--record", "0"]);
  const url = (await waitForLine(fake, /^listening (\S+)\n/m, 15_000))[1]!;
  process.stdout.write(`${REQUESTS} requests per round, ${CONCURRENCY} in flight, ${ROUNDS} rounds; Node ${process.version}\n`);

  const instant = parseProject(projectYaml("http://127.0.0.1:9"), join(dir, "llamafarm.yaml"), { env: BENCH_ENV }).project!;
  await measure("runtime, instant model, no usage ledger", chatOnce(new Runtime(instant, { adapterFor: (m) => instantAdapter(m.modelId) })));
  const store = new MemoryStateStore();
  const usage = await openProjectUsage(instant, { store, file: join(dir, "usage.db") });
  await measure("runtime, instant model, usage ledger", chatOnce(new Runtime(instant, { adapterFor: (m) => instantAdapter(m.modelId), store, usage })), async () => usage.ledger.flush());
  await usage.close();
  if (!values["skip-postgres"]) await measurePostgresLedger(store);

  const real = parseProject(projectYaml(url), join(dir, "llamafarm.yaml"), { env: BENCH_ENV }).project!;
  const runtime = new Runtime(real);
  await measure("runtime + OpenAI adapter, fake over loopback", chatOnce(runtime));
  await runtime.close();
  if (!values["skip-tracing"]) await measureTraced(real);

  const pool = new Pool(url);
  const body = { model: UPSTREAM_MODEL, messages: [{ role: "system", content: "You are a benchmark assistant. Answer briefly." }, ...messages], max_tokens: 64, temperature: 0.2, stream: false };
  await measure("bare undici request to the fake (JSON both ways)", async () => {
    const response = await pool.request({ path: "/v1/chat/completions", method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    return JSON.parse(await response.body.text());
  });
  await pool.close();
} finally {
  await children.stopAll();
  rmSync(dir, { recursive: true, force: true });
}
