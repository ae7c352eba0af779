import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { collectStream, ProviderError, type ModelCallOptions } from "../../runtime/core/index.js";
import { createOpenAIAdapter } from "../../runtime/providers/openai/index.js";
import { drain, textOfParts } from "./support.js";

/** A raw HTTP server whose next answer each test writes itself: the wire cases the fake provider has no script for. */
type Answer = (req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let base: string;
let answer: Answer;
let seen: { method: string; url: string; headers: IncomingMessage["headers"]; body: string }[];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
beforeEach(() => {
  seen = [];
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const hello: ModelCallOptions = { messages: [{ role: "user", content: "hi" }], parameters: {} };
const chunk = (delta: unknown, finish: string | null = null) => `data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const sse = (res: ServerResponse, body: string | Buffer, headers: Record<string, string> = {}) => {
  res.writeHead(200, { "content-type": "text/event-stream", ...headers });
  res.end(body);
};

describe("OpenAI adapter over undici: the wire", () => {
  it("sends JSON with content-type and accept, the key only when set, and lets configured headers win", async () => {
    answer = (_req, res) => sse(res, chunk({ content: "ok" }, "stop") + "data: [DONE]\n\n");
    await collectStream(createOpenAIAdapter({ modelId: "m", baseUrl: `${base}/`, apiKey: "sk-local-123456", headers: { "X-Team": "lf" } }).stream(hello));
    await collectStream(createOpenAIAdapter({ modelId: "m", baseUrl: base, headers: { Authorization: "Bearer from-headers" } }).stream(hello));
    const [keyed, overridden] = seen;
    expect(keyed).toMatchObject({ method: "POST", url: "/v1/chat/completions" });
    expect(keyed!.headers).toMatchObject({ "content-type": "application/json", accept: "application/json", authorization: "Bearer sk-local-123456", "x-team": "lf" });
    expect(JSON.parse(keyed!.body)).toMatchObject({ model: "m", stream: true, stream_options: { include_usage: true } });
    expect(overridden!.headers.authorization).toBe("Bearer from-headers");
  });

  it("reads a compressed stream, events split across reads, and ignores what follows [DONE]", async () => {
    const body = chunk({ content: "Hel" }) + chunk({ content: "lo" }) + chunk({}, "stop") + "data: [DONE]\n\n" + chunk({ content: " ignored" });
    answer = (_req, res) => sse(res, gzipSync(body), { "content-encoding": "gzip" });
    expect((await collectStream(createOpenAIAdapter({ modelId: "m", baseUrl: base }).stream(hello))).text).toBe("Hello");

    answer = (_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      // One event cut in the middle of a multi-byte character, then the rest.
      const bytes = Buffer.from(chunk({ content: "é!" }) + chunk({}, "stop"));
      const cut = bytes.indexOf(Buffer.from("é")) + 1;
      res.write(bytes.subarray(0, cut));
      setTimeout(() => res.end(bytes.subarray(cut)), 20);
    };
    expect((await collectStream(createOpenAIAdapter({ modelId: "m", baseUrl: base }).stream(hello))).text).toBe("é!");
  });

  it("maps error statuses whatever the body: OpenAI's shape with its type, and an empty body by its status", async () => {
    answer = (_req, res) => {
      res.writeHead(400, { "content-type": "application/json", "x-request-id": "req_1" });
      res.end(JSON.stringify({ error: { message: "bad temperature", type: "invalid_request_error", param: "temperature" } }));
    };
    const invalid = (await drain(createOpenAIAdapter({ modelId: "m", baseUrl: base }).stream(hello))).thrown as ProviderError;
    expect(invalid).toMatchObject({ code: "invalid_request", status: 400, isRetryable: false, details: { errorType: "invalid_request_error" } });
    expect(invalid.message).toContain("bad temperature");
    expect(invalid.headers["x-request-id"]).toBe("req_1");

    answer = (_req, res) => {
      res.writeHead(503, { "retry-after-ms": "1500" });
      res.end();
    };
    const unavailable = (await drain(createOpenAIAdapter({ modelId: "m", baseUrl: base }).stream(hello))).thrown as ProviderError;
    expect(unavailable).toMatchObject({ code: "provider_unavailable", status: 503, isRetryable: true });
    expect(unavailable.message).toContain("Service Unavailable");
    expect(unavailable.message).toContain(`${base}/chat/completions`);
    expect(unavailable.retryAfterMs(0)).toBe(1500);
  });

  it("throws an error object sent before any output, with its type, and names no credentials in the URL", async () => {
    answer = (_req, res) => sse(res, `data: ${JSON.stringify({ error: { message: "overloaded", type: "server_error" } })}\n\n`);
    const url = base.replace("http://", "http://user:secret-password@");
    const { parts, thrown } = await drain(createOpenAIAdapter({ modelId: "m", baseUrl: url }).stream(hello));
    expect(parts).toEqual([]);
    expect(thrown).toMatchObject({ code: "provider_error", isRetryable: true, details: { errorType: "server_error" } });
    expect((thrown as Error).message).toContain("overloaded");
    expect((thrown as ProviderError).url).not.toContain("secret-password");
  });

  it("checks connectivity with GET /models and reports an error status", async () => {
    answer = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ object: "list", data: [{ id: "m" }, { id: "other" }] }));
    };
    expect(await createOpenAIAdapter({ modelId: "m", baseUrl: base, apiKey: "sk-local-123456" }).check()).toMatchObject({ ok: true, detail: expect.stringContaining('2 models at') });
    expect(seen[0]).toMatchObject({ method: "GET", url: "/v1/models", headers: { authorization: "Bearer sk-local-123456" } });

    answer = (_req, res) => {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "no key" } }));
    };
    expect(await createOpenAIAdapter({ modelId: "m", baseUrl: base }).check()).toMatchObject({ ok: false, detail: expect.stringContaining("key is missing or wrong") });
  });

  it("closes the connection when the caller leaves mid-stream", async () => {
    let closed!: Promise<void>;
    answer = (req, res) => {
      closed = new Promise((resolve) => res.once("close", () => resolve()));
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(chunk({ content: "first" }));
      void req;
    };
    const parts = [];
    for await (const part of createOpenAIAdapter({ modelId: "m", baseUrl: base }).stream(hello)) {
      parts.push(part);
      break;
    }
    expect(textOfParts(parts)).toBe("first");
    await closed;
  });
});
