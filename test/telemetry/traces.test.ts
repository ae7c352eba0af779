import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Gateway, createLogger } from "../../runtime/server/index.js";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { repoRoot } from "../helpers/run-cli.js";
import { TEST_ENV, eventually, tempDir, writeProject } from "../server/support.js";
import { EVERYTHING_BIN, freePort } from "../tools/support/servers.js";
import { clientTraceparent, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "./otlp-receiver.js";

const SERVER = 2;
const CLIENT = 3;
const INTERNAL = 1;
const ERROR = 2;

/** The test machine's own OTEL_ variables would decide for the tests; they are left out. */
const ENV = Object.fromEntries(Object.entries(TEST_ENV).filter(([name]) => !name.startsWith("OTEL_")));

let fake: FakeProvider;
let receiver: OtlpReceiver;
let gateway: Gateway;

function projectText(telemetry: string): string {
  return `version: v1
name: traces
namespace: tests
${telemetry}
mcp:
  servers:
    - name: everything
      transport: stdio
      command: ${JSON.stringify(process.execPath)}
      args: [${JSON.stringify(EVERYTHING_BIN)}, stdio]
runtime:
  default_model: primary
  retries: { max_attempts: 1 }
  circuit_breaker: { failure_threshold: 1000, min_requests: 1000 }
  models:
    - { name: primary, provider: openai, model: gpt-primary, base_url: "${fake.url}/v1", api_key: test-key, fallbacks: [backup], mcp_servers: [] }
    - { name: backup, provider: openai, model: gpt-backup, base_url: "${fake.url}/v1", api_key: test-key, mcp_servers: [] }
    - { name: tools, provider: openai, model: gpt-tools, base_url: "${fake.url}/v1", api_key: test-key, mcp_servers: [everything] }
    - { name: cached, provider: openai, model: gpt-backup, base_url: "${fake.url}/v1", api_key: test-key, mcp_servers: [], cache: { ttl: 1h, max_entries: 10 } }
    - { name: vectors, provider: ollama, model: embed-local, base_url: "${fake.url}", capabilities: { embeddings: true } }
`;
}

beforeAll(async () => {
  fake = await startFakeProvider();
  receiver = await startOtlpReceiver();
  fake.always("gpt-primary", { fault: "status", status: 503, message: "overloaded" });
  fake.always("gpt-backup", "from the backup");
  const file = await writeProject(tempDir("lf-traces-"), projectText(`telemetry:\n  otlp_endpoint: ${receiver.url}\n  service_name: lf-under-test`));
  const logger = createLogger({ level: "warn", destination: { write: () => undefined } as unknown as pino.DestinationStream });
  // Exports every 20 ms rather than every 5 s, so the test does not wait on the batch.
  gateway = await Gateway.start({ files: [file], logger, env: { ...ENV, OTEL_BSP_SCHEDULE_DELAY: "20" }, host: "127.0.0.1", port: 0 });
}, 60_000);

afterAll(async () => {
  await gateway?.close(1_000);
  await receiver?.close();
  await fake?.close();
});

function openai(traceparent: string): OpenAI {
  return new OpenAI({ baseURL: `${gateway.url}/v1/projects/tests/traces`, apiKey: "unused", maxRetries: 0, timeout: 10_000, defaultHeaders: { traceparent } });
}

function spansOf(traceId: string): ReceivedSpan[] {
  return receiver.spans.filter((span) => span.traceId === traceId);
}

/** Waits until the trace has a request span and `children` spans under it. */
async function trace(traceId: string, children: number): Promise<{ request: ReceivedSpan; spans: ReceivedSpan[] }> {
  let request: ReceivedSpan | undefined;
  await eventually(() => {
    request = spansOf(traceId).find((span) => span.kind === SERVER);
    expect(request).toBeDefined();
    expect(spansOf(traceId).length).toBeGreaterThanOrEqual(children + 1);
  });
  return { request: request!, spans: spansOf(traceId) };
}

/** The trace id and parent span id of the `traceparent` an upstream request carried. */
function upstreamContext(model: string, since: number): { traceId: string; parentId: string } {
  const request = fake.requests.slice(since).find((r) => (r.body as { model?: string }).model === model);
  const header = String(request?.headers.traceparent ?? "");
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(header);
  expect(match, `traceparent sent to ${model}: "${header}"`).not.toBeNull();
  return { traceId: match![1]!, parentId: match![2]! };
}

describe("traces over OTLP/HTTP", () => {
  it("a request is one server span in the client's trace, with a child per attempt; the failed attempt is an error with its failure class", async () => {
    const client = clientTraceparent();
    const since = fake.requests.length;
    const answer = await openai(client.header).chat.completions.create({ model: "primary", messages: [{ role: "user", content: "hi" }] });
    expect(answer.choices[0]!.message.content).toBe("from the backup");

    const { request, spans } = await trace(client.traceId, 2);
    expect(request.name).toBe("chat primary");
    expect(request.parentSpanId).toBe(client.spanId);
    expect(request.resource["service.name"]).toBe("lf-under-test");
    expect(request.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "primary",
      "gen_ai.response.model": "backup",
      "gen_ai.provider.name": "openai",
      "lf.project": "tests/traces",
      "lf.wire": "openai-chat",
      "lf.calls": 2,
      "http.response.status_code": 200,
    });
    expect(request.attributes["gen_ai.usage.input_tokens"]).toEqual(expect.any(Number));
    expect(request.attributes["gen_ai.usage.output_tokens"]).toEqual(expect.any(Number));
    expect(request.attributes["error.type"]).toBeUndefined();
    expect(request.status.code).not.toBe(ERROR);

    const attempts = spans.filter((span) => span.parentSpanId === request.spanId);
    expect(attempts.map((span) => span.name).sort()).toEqual(["chat gpt-backup", "chat gpt-primary"]);
    const failed = attempts.find((span) => span.name === "chat gpt-primary")!;
    const served = attempts.find((span) => span.name === "chat gpt-backup")!;
    expect(failed.kind).toBe(CLIENT);
    expect(failed.status.code).toBe(ERROR);
    expect(failed.attributes).toMatchObject({
      "gen_ai.request.model": "gpt-primary",
      "gen_ai.provider.name": "openai",
      "lf.model": "primary",
      "lf.outcome": "failed",
      "lf.failure.action": "retry",
      "http.response.status_code": 503,
    });
    expect(failed.attributes["error.type"]).toEqual(expect.stringMatching(/^[a-z_]+$/));
    expect(served.status.code).not.toBe(ERROR);
    expect(served.attributes).toMatchObject({ "lf.model": "backup", "lf.outcome": "success", "gen_ai.response.model": "gpt-backup" });

    // Each upstream call carried the trace on, as a child of its attempt's span.
    expect(upstreamContext("gpt-primary", since)).toEqual({ traceId: client.traceId, parentId: failed.spanId });
    expect(upstreamContext("gpt-backup", since)).toEqual({ traceId: client.traceId, parentId: served.spanId });
  });

  it("a client trace that is not sampled is not recorded, and the upstream is told so", async () => {
    const client = clientTraceparent();
    const since = fake.requests.length;
    const unsampled = client.header.replace(/-01$/, "-00");
    const answer = await openai(unsampled).chat.completions.create({ model: "backup", messages: [{ role: "user", content: "hi" }] });
    expect(answer.choices[0]!.message.content).toBe("from the backup");
    const request = fake.requests.slice(since).find((r) => (r.body as { model?: string }).model === "gpt-backup");
    expect(String(request?.headers.traceparent)).toMatch(new RegExp(`^00-${client.traceId}-[0-9a-f]{16}-00$`));
    // A sampled request after it is exported; the unsampled one never is.
    const after = clientTraceparent();
    await openai(after.header).chat.completions.create({ model: "backup", messages: [{ role: "user", content: "hi" }] });
    await trace(after.traceId, 1);
    expect(spansOf(client.traceId)).toEqual([]);
  });

  it("a failed request records its error type and status on the request span", async () => {
    fake.always("gpt-backup", { fault: "status", status: 500, message: "down too" });
    try {
      const client = clientTraceparent();
      const error = await openai(client.header)
        .chat.completions.create({ model: "primary", messages: [{ role: "user", content: "hi" }] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      const { request, spans } = await trace(client.traceId, 2);
      expect(request.status.code).toBe(ERROR);
      expect(request.attributes["error.type"]).toBe("all_models_failed");
      expect(request.attributes["http.response.status_code"]).toBe((error as InstanceType<typeof OpenAI.APIError>).status);
      expect(spans.filter((span) => span.parentSpanId === request.spanId).every((span) => span.status.code === ERROR)).toBe(true);
    } finally {
      fake.always("gpt-backup", "from the backup");
    }
  });

  it("an MCP tool call is an execute_tool span under the attempt that asked for it", async () => {
    fake.script("gpt-tools", { toolCalls: [{ name: "everything__get-sum", arguments: { a: 19, b: 23 } }] }, "it is 42");
    const client = clientTraceparent();
    const answer = await openai(client.header).chat.completions.create({ model: "tools", messages: [{ role: "user", content: "19 + 23?" }] });
    expect(answer.choices[0]!.message.content).toBe("it is 42");

    const { request, spans } = await trace(client.traceId, 2);
    const attempt = spans.find((span) => span.parentSpanId === request.spanId)!;
    expect(attempt.name).toBe("chat gpt-tools");
    const tool = spans.find((span) => span.name === "execute_tool everything__get-sum");
    expect(tool).toBeDefined();
    expect(tool!.kind).toBe(INTERNAL);
    expect(tool!.parentSpanId).toBe(attempt.spanId);
    expect(tool!.attributes).toMatchObject({ "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "everything__get-sum" });
    expect(tool!.status.code).not.toBe(ERROR);
  }, 60_000);

  it("an embeddings request is an embeddings span with its call, and the upstream gets the trace", async () => {
    const client = clientTraceparent();
    const since = fake.requests.length;
    const answer = await openai(client.header).embeddings.create({ model: "vectors", input: ["one", "two"] });
    expect(answer.data).toHaveLength(2);
    const { request, spans } = await trace(client.traceId, 1);
    expect(request.name).toBe("embeddings vectors");
    expect(request.attributes).toMatchObject({ "gen_ai.operation.name": "embeddings", "lf.wire": "openai-embeddings", "gen_ai.provider.name": "ollama", "http.response.status_code": 200 });
    const call = spans.find((span) => span.parentSpanId === request.spanId)!;
    expect(call.name).toBe("embeddings embed-local");
    expect(upstreamContext("embed-local", since)).toEqual({ traceId: client.traceId, parentId: call.spanId });
  });

  it("requests are answered while the collector is down, and closing the server is not held by it for long", async () => {
    const nobody = await freePort();
    const file = await writeProject(tempDir("lf-traces-down-"), projectText(`telemetry:\n  otlp_endpoint: http://127.0.0.1:${nobody}`));
    const logger = createLogger({ level: "warn", destination: { write: () => undefined } as unknown as pino.DestinationStream });
    const down = await Gateway.start({ files: [file], logger, env: { ...ENV, OTEL_BSP_SCHEDULE_DELAY: "20" }, host: "127.0.0.1", port: 0 });
    try {
      const client = new OpenAI({ baseURL: `${down.url}/v1/projects/tests/traces`, apiKey: "unused", maxRetries: 0, timeout: 10_000 });
      for (let i = 0; i < 3; i++) {
        const answer = await client.chat.completions.create({ model: "backup", messages: [{ role: "user", content: "hi" }] });
        expect(answer.choices[0]!.message.content).toBe("from the backup");
      }
    } finally {
      // The exporter keeps retrying a refused collector; the server gives it 3 s, then stops anyway.
      await down.close(1_000);
    }
  });

  it("an answer from the response cache is marked on its span, which has no call under it", async () => {
    const ask = (traceparent: string) => openai(traceparent).chat.completions.create({ model: "cached", messages: [{ role: "user", content: "cache me" }] });
    const first = clientTraceparent();
    await ask(first.header);
    expect((await trace(first.traceId, 1)).request.attributes["lf.cache"]).toBe("miss");
    const second = clientTraceparent();
    expect((await ask(second.header)).choices[0]!.message.content).toBe("from the backup");
    const { request, spans } = await trace(second.traceId, 0);
    expect(request.attributes).toMatchObject({ "lf.cache": "hit", "lf.calls": 0, "http.response.status_code": 200 });
    expect(spans.filter((span) => span.parentSpanId === request.spanId)).toEqual([]);
  });

  it("the Responses route is traced as a chat too", async () => {
    const client = clientTraceparent();
    const response = await openai(client.header).responses.create({ model: "backup", input: "hi" });
    expect(response.output_text).toBe("from the backup");
    const { request } = await trace(client.traceId, 1);
    expect(request.name).toBe("chat backup");
    expect(request.attributes).toMatchObject({ "lf.wire": "openai-responses", "gen_ai.response.model": "backup", "http.response.status_code": 200 });
  });

  it("Anthropic's Messages route enters the same pipeline and is traced the same way", async () => {
    const client = clientTraceparent();
    const anthropic = new Anthropic({ baseURL: `${gateway.url}/v1/projects/tests/traces`, apiKey: "unused", maxRetries: 0, timeout: 10_000, defaultHeaders: { traceparent: client.header } });
    const stream = anthropic.messages.stream({ model: "backup", max_tokens: 50, messages: [{ role: "user", content: "hi" }] });
    expect((await stream.finalText()).length).toBeGreaterThan(0);
    const { request } = await trace(client.traceId, 1);
    expect(request.name).toBe("chat backup");
    expect(request.parentSpanId).toBe(client.spanId);
    expect(request.attributes).toMatchObject({ "lf.wire": "anthropic-messages", "lf.stream": true, "gen_ai.response.model": "backup", "http.response.status_code": 200 });
  });
});

const bin = join(repoRoot, "cli", "bin.js");
const preload = fileURLToPath(new URL("./register-module-log.mjs", import.meta.url));

/** Runs `lf serve` as users do, answers one chat with a client traceparent, stops it; returns the OpenTelemetry modules it loaded. */
async function serveOnce(file: string, env: Record<string, string | undefined>, traceparent: string): Promise<string[]> {
  if (!existsSync(join(repoRoot, "dist", "cli", "main.js"))) throw new Error("dist/ is missing: run `npm run build` first");
  const log = join(tempDir("lf-modules-"), "modules.log");
  const child = spawn(process.execPath, ["--import", preload, bin, "serve", "--project", file, "--port", "0"], {
    env: { ...env, NO_COLOR: "1", LF_TEST_MODULE_LOG: log },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`lf serve did not start:\n${output}`)), 20_000);
      child.stdout!.on("data", (d: Buffer) => {
        output += d.toString();
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      void exited.then((code) => reject(new Error(`lf serve exited with ${code}:\n${output}`)));
    });
    const client = new OpenAI({ baseURL: `${url}/v1/projects/tests/traces`, apiKey: "unused", maxRetries: 0, defaultHeaders: { traceparent } });
    const answer = await client.chat.completions.create({ model: "backup", messages: [{ role: "user", content: "hi" }] });
    expect(answer.choices[0]!.message.content).toBe("from the backup");
  } finally {
    child.kill("SIGTERM");
  }
  expect(await exited).toBe(0);
  return existsSync(log) ? readFileSync(log, "utf8").split("\n").filter((line) => line !== "") : [];
}

const SDK_MODULES = /@opentelemetry\/(sdk-trace-base|exporter-trace-otlp-http|resources|otlp-exporter-base)\//;

describe("tracing off", () => {
  it("with no telemetry block and no OTEL_ endpoint, `lf serve` exports nothing and never loads the OpenTelemetry SDK", async () => {
    const file = await writeProject(tempDir("lf-traces-off-"), projectText(""));
    const client = clientTraceparent();
    const loaded = await serveOnce(file, ENV, client.header);
    expect(loaded.filter((url) => SDK_MODULES.test(url))).toEqual([]);
    // The server stopped, which exports whatever a tracer had queued: there was none.
    expect(spansOf(client.traceId)).toEqual([]);
    expect(fake.requests.at(-1)!.headers.traceparent).toBeUndefined();
  }, 60_000);

  it("OTEL_EXPORTER_OTLP_ENDPOINT alone turns it on: the SDK is loaded and the spans reach the collector", async () => {
    const file = await writeProject(tempDir("lf-traces-env-"), projectText(""));
    const client = clientTraceparent();
    const loaded = await serveOnce(file, { ...ENV, OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }, client.header);
    expect(loaded.some((url) => SDK_MODULES.test(url))).toBe(true);
    const spans = spansOf(client.traceId);
    expect(spans.find((span) => span.kind === SERVER)?.name).toBe("chat backup");
    expect(receiver.paths).toContain("/v1/traces");
  }, 60_000);
});
