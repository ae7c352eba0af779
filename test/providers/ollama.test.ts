import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { collectStream, ProviderError, type ChatMessage, type ModelCallOptions } from "../../runtime/core/index.js";
import { createOllamaAdapter, resolveOllamaHost } from "../../runtime/providers/ollama/index.js";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { closedPort, drain, fetchReturning, forbiddenFetch, partTypes, responseSignals, settle, textOfParts } from "./support.js";

let fake: FakeProvider;
const MODEL = "llama3.2:1b";

beforeAll(async () => {
  fake = await startFakeProvider({ models: [MODEL] });
});
beforeEach(() => fake.reset());
afterAll(() => fake.close());

function adapter(overrides: Partial<Parameters<typeof createOllamaAdapter>[0]> = {}) {
  let n = 0;
  return createOllamaAdapter({ modelId: MODEL, baseUrl: fake.url, generateId: () => `gen_${n++}`, ...overrides });
}

const hello: ModelCallOptions = {
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "hi" },
  ],
  parameters: {},
};

describe("Ollama adapter: what it sends", () => {
  it("sends the model, messages in order and parameters as options, and streams text with usage", async () => {
    fake.script(MODEL, { text: ["Hel", "lo"], usage: { inputTokens: 26, outputTokens: 2 } });
    const parameters = { max_tokens: 64, temperature: 0.2, top_p: 0.9, top_k: 40, stop: ["END"], seed: 7, num_ctx: 8192, repeat_penalty: 1.1, frequency_penalty: 0.1, presence_penalty: 0.2, min_p: 0.05 };
    const { parts, thrown } = await drain(adapter({ apiKey: "ollama-proxy-key", headers: { "X-Team": "lf" } }).stream({ ...hello, parameters }));
    expect(thrown).toBeUndefined();
    const request = fake.requests[0]!;
    expect(request).toMatchObject({ path: "/api/chat", model: MODEL, stream: true });
    expect(request.headers.authorization).toBe("Bearer ollama-proxy-key");
    expect(request.headers["x-team"]).toBe("lf");
    expect(request.body).toEqual({
      model: MODEL,
      stream: true,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hi" },
      ],
      options: { num_predict: 64, temperature: 0.2, top_p: 0.9, top_k: 40, stop: ["END"], seed: 7, num_ctx: 8192, repeat_penalty: 1.1, frequency_penalty: 0.1, presence_penalty: 0.2 },
    });
    expect(partTypes(parts)).toEqual(["text-delta", "text-delta", "usage", "finish"]);
    expect(textOfParts(parts)).toBe("Hello");
    expect(parts.slice(-2)).toEqual([
      { type: "usage", usage: { inputTokens: 26, outputTokens: 2 } },
      { type: "finish", finishReason: "stop" },
    ]);
  });

  it("sends tools in Ollama's format, images as base64 and format json / a schema", async () => {
    const tools = [
      { name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
      { name: "get_time", parameters: { type: "object" } },
    ];
    const messages: ChatMessage[] = [{ role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image", url: "data:image/png;base64,iVBORw0KGgo=" }] }];
    const model = adapter();
    await collectStream(model.stream({ messages, parameters: {}, tools, responseFormat: { type: "json_object" } }));
    await collectStream(model.stream({ messages, parameters: {}, tools, toolChoice: { name: "get_time" }, responseFormat: { type: "json_schema", schema: { type: "object" } } }));
    await collectStream(model.stream({ messages, parameters: {}, tools, toolChoice: "none" }));
    const [all, named, none] = fake.requests.map((request) => request.body as Record<string, unknown>);
    expect(all!.tools).toEqual([
      { type: "function", function: { name: "get_weather", description: "Weather", parameters: tools[0]!.parameters } },
      { type: "function", function: { name: "get_time", parameters: { type: "object" } } },
    ]);
    expect(all!.format).toBe("json");
    expect(all!.messages).toEqual([{ role: "user", content: "What is this?", images: ["iVBORw0KGgo="] }]);
    expect((named!.tools as unknown[]).length).toBe(1);
    expect(named!.format).toEqual({ type: "object" });
    expect(none!.tools).toBeUndefined();
  });

  it("never reads a file named by an image string, and refuses image URLs it cannot send", async () => {
    // "/etc/hostname" is valid base64 text; the client would read a file by that name if given a string.
    const messages: ChatMessage[] = [{ role: "user", content: [{ type: "image", url: "data:image/png;base64,/etc/hostname" }] }];
    await collectStream(adapter().stream({ messages, parameters: {} }));
    const sent = (fake.requests[0]!.body as { messages: { images: string[] }[] }).messages[0]!.images[0]!;
    expect(Buffer.from(sent, "base64").equals(Buffer.from("/etc/hostname", "base64"))).toBe(true);

    const remote: ChatMessage[] = [{ role: "user", content: [{ type: "image", url: "https://example.com/cat.png" }] }];
    const { thrown } = await drain(adapter({ fetch: forbiddenFetch }).stream({ messages: remote, parameters: {} }));
    expect(thrown).toMatchObject({ code: "invalid_request", message: expect.stringContaining("data: URL") });
  });

  it("accepts OLLAMA_HOST and LlamaFarm-style URLs ending in /v1", () => {
    expect(resolveOllamaHost(undefined, {})).toBe("http://localhost:11434");
    expect(resolveOllamaHost(undefined, { OLLAMA_HOST: "0.0.0.0" })).toBe("http://0.0.0.0:11434");
    expect(resolveOllamaHost(undefined, { OLLAMA_HOST: "gpu-box:11500" })).toBe("http://gpu-box:11500");
    expect(resolveOllamaHost(undefined, { OLLAMA_HOST: ":11434" })).toBe("http://127.0.0.1:11434");
    expect(resolveOllamaHost("http://localhost:11434/v1/", { OLLAMA_HOST: "elsewhere" })).toBe("http://localhost:11434");
    expect(resolveOllamaHost("https://ollama.example.com", {})).toBe("https://ollama.example.com");
    expect(createOllamaAdapter({ modelId: MODEL, baseUrl: `${fake.url}/v1` }).preview(hello).url).toBe(`${fake.url}/api/chat`);
  });
});

describe("Ollama adapter: tool calls", () => {
  it("turns several tool calls into tool-call parts with JSON arguments, keeping ids and generating missing ones", async () => {
    fake.script(MODEL, { toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }, { name: "get_time", arguments: { tz: "UTC" }, id: "call_9" }] });
    const result = await collectStream(adapter().stream(hello));
    expect(result.toolCalls).toEqual([
      { id: "gen_0", name: "get_weather", arguments: '{"city":"Paris"}' },
      { id: "call_9", name: "get_time", arguments: '{"tz":"UTC"}' },
    ]);
    expect(result.finishReason).toBe("tool-calls");
  });

  it("sends the round trip with arguments as objects and results naming their tool", async () => {
    fake.script(MODEL, "18°C and noon.");
    const messages: ChatMessage[] = [
      { role: "user", content: "Weather and time?" },
      {
        role: "assistant",
        content: null,
        toolCalls: [
          { id: "gen_0", name: "get_weather", arguments: '{"city":"Paris"}' },
          { id: "call_9", name: "get_time", arguments: "not json" },
        ],
      },
      { role: "tool", toolCallId: "gen_0", content: "18°C" },
      { role: "tool", toolCallId: "call_9", content: "Invalid JSON arguments", isError: true },
    ];
    await collectStream(adapter().stream({ messages, parameters: {} }));
    expect((fake.requests[0]!.body as { messages: unknown }).messages).toEqual([
      { role: "user", content: "Weather and time?" },
      {
        role: "assistant",
        content: "",
        tool_calls: [{ function: { name: "get_weather", arguments: { city: "Paris" } } }, { function: { name: "get_time", arguments: {} } }],
      },
      { role: "tool", content: "18°C", tool_name: "get_weather" },
      { role: "tool", content: "Error: Invalid JSON arguments", tool_name: "get_time" },
    ]);
  });

  it("maps done_reason length", async () => {
    fake.script(MODEL, { text: "cut", finishReason: "length" });
    expect((await collectStream(adapter().stream(hello))).finishReason).toBe("length");
  });
});

describe("Ollama adapter: errors", () => {
  it("names the URL and says to start Ollama and pull the model when the connection is refused", async () => {
    const port = await closedPort();
    const { thrown } = await drain(createOllamaAdapter({ modelId: MODEL, baseUrl: `http://127.0.0.1:${port}` }).stream(hello));
    expect(thrown).toBeInstanceOf(ProviderError);
    const error = thrown as ProviderError;
    expect(error).toMatchObject({ code: "provider_unreachable", isRetryable: true, provider: "ollama", url: `http://127.0.0.1:${port}/api/chat` });
    expect(error.message).toContain(`http://127.0.0.1:${port}/api/chat`);
    expect(error.message).toContain("`ollama serve`");
    expect(error.message).toContain(`\`ollama pull ${MODEL}\``);
  });

  it("maps 404 to model_not_found with the pull command, and 429 with Retry-After", async () => {
    fake.script(MODEL, { fault: "status", status: 404, message: `model "${MODEL}" not found, try pulling it first` }, { fault: "status", status: 429, headers: { "retry-after": "3" }, message: "busy" });
    const missing = (await drain(adapter().stream(hello))).thrown as ProviderError;
    expect(missing).toMatchObject({ code: "model_not_found", status: 404, isRetryable: false });
    expect(missing.message).toContain(`ollama pull ${MODEL}`);
    const limited = (await drain(adapter().stream(hello))).thrown as ProviderError;
    expect(limited).toMatchObject({ code: "rate_limited", status: 429, isRetryable: true });
    expect(limited.retryAfterMs(0)).toBe(3000);
  });

  it("reads an OpenAI-style JSON error body from a server that is not Ollama (a wrong base_url)", async () => {
    fake.script(MODEL, { fault: "status", status: 404, body: { error: { message: "Unknown request URL: POST /api/chat", type: "invalid_request_error" } } });
    const thrown = (await drain(adapter().stream(hello))).thrown as ProviderError;
    expect(thrown).toBeInstanceOf(ProviderError);
    expect(thrown).toMatchObject({ code: "model_not_found", status: 404 });
    expect(thrown.message).toContain("404");
    expect(thrown.message).toContain("/api/chat");
    expect(thrown.message).toContain("Unknown request URL");
    expect(thrown.message).not.toContain("is not a function");
  });

  it("maps 401 (a proxy's key) and 500 without console noise for plain-text bodies", async () => {
    const log = vi.spyOn(console, "log");
    fake.script(MODEL, { fault: "status", status: 401, body: "unauthorized", headers: { "content-type": "text/plain" } }, { fault: "status", status: 500, message: "llama runner crashed" });
    const denied = (await drain(adapter({ apiKey: "proxy-secret-123" }).stream(hello))).thrown as ProviderError;
    expect(denied).toMatchObject({ status: 401, isRetryable: false });
    expect(denied.message).toContain("api_key");
    expect(denied.message).not.toContain("proxy-secret-123");
    const failed = (await drain(adapter().stream(hello))).thrown as ProviderError;
    expect(failed).toMatchObject({ status: 500, isRetryable: true, message: expect.stringContaining("llama runner crashed") });
    expect(log).not.toHaveBeenCalled();
    log.mockRestore();
  });

  it("throws for a reset before the headers, and ends with an error part when cut after output", async () => {
    fake.script(MODEL, { fault: "reset" }, { text: ["a", "b", "c"], fault: { fault: "reset", afterChunks: 2 } });
    const before = await drain(adapter().stream(hello));
    expect(before.parts).toEqual([]);
    expect(before.thrown).toMatchObject({ code: "provider_unreachable", isRetryable: true });
    const after = await drain(adapter().stream(hello));
    expect(after.thrown).toBeUndefined();
    expect(textOfParts(after.parts)).toBe("ab");
    expect(after.parts.at(-1)).toMatchObject({ type: "error", error: { isRetryable: true, message: expect.stringContaining("cut off") } });
  });

  it("treats a stream that closes cleanly without its done line as cut off", async () => {
    const line = JSON.stringify({ model: MODEL, created_at: "2025-01-01T00:00:00Z", message: { role: "assistant", content: "partial" }, done: false });
    const { parts } = await drain(adapter({ fetch: fetchReturning(`${line}\n`, "application/x-ndjson") }).stream(hello));
    expect(textOfParts(parts)).toBe("partial");
    expect(parts.at(-1)).toMatchObject({ type: "error", error: { message: expect.stringContaining("cut off") } });
  });

  it("reports a malformed line instead of skipping it", async () => {
    const warn = vi.spyOn(console, "warn");
    fake.script(MODEL, { fault: "malformed", afterChunks: 0 }, { text: ["a", "b"], fault: { fault: "malformed", afterChunks: 1 } });
    const before = await drain(adapter().stream(hello));
    expect(before.thrown).toMatchObject({ message: expect.stringContaining("malformed JSON") });
    const after = await drain(adapter().stream(hello));
    expect(textOfParts(after.parts)).toBe("a");
    expect(after.parts.at(-1)).toMatchObject({ type: "error", error: { message: expect.stringContaining("malformed JSON") } });
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();
  });

  it("turns an error line inside the stream into an error part", async () => {
    fake.script(MODEL, { text: ["a", "b"], fault: { fault: "stream-error", afterChunks: 1, message: "out of memory" } });
    const { parts } = await drain(adapter().stream(hello));
    expect(textOfParts(parts)).toBe("a");
    expect(parts.at(-1)).toMatchObject({ type: "error", error: { isRetryable: true, message: expect.stringContaining("out of memory") } });
  });
});

describe("Ollama adapter: the response", () => {
  it("says when the provider has answered, once, before the first part, and not for an error status", async () => {
    fake.script(MODEL, { text: "Hello there" }, { fault: "status", status: 503, message: "overloaded" });
    await responseSignals(() => adapter(), hello);
  });
});

describe("Ollama adapter: cancellation, preview, check", () => {
  it("aborts the upstream request when the signal fires or the consumer stops", async () => {
    fake.script(MODEL, { text: ["a", "b", "c"], chunkDelayMs: 200 }, { text: ["a", "b", "c"], chunkDelayMs: 200 });
    const controller = new AbortController();
    const parts = [];
    for await (const part of adapter().stream({ ...hello, signal: controller.signal })) {
      parts.push(part);
      if (part.type === "text-delta") controller.abort();
    }
    expect(parts.at(-1)).toMatchObject({ type: "error", error: { code: "aborted" } });
    for await (const part of adapter().stream(hello)) if (part.type === "text-delta") break;
    await fake.settled();
    expect(fake.requests.map((request) => request.aborted)).toEqual([true, true]);
  });

  it("previews exactly the request it sends", async () => {
    const options: ModelCallOptions = {
      messages: [{ role: "user", content: [{ type: "text", text: "look" }, { type: "image", url: "data:image/png;base64,iVBORw0KGgo=" }] }],
      parameters: { temperature: 0.1, max_tokens: 5 },
      tools: [{ name: "t", parameters: { type: "object" } }],
    };
    const model = adapter({ apiKey: "ollama-proxy-key-123" });
    const preview = model.preview(options);
    await collectStream(model.stream(options));
    const sent = fake.requests[0]!;
    expect(preview.url).toBe(`${fake.url}${sent.path}`);
    expect(preview.body).toEqual(sent.body);
    expect(preview.headers.authorization).toBe("Bearer oll…****");
  });

  it("checks that Ollama runs and whether the model is pulled", async () => {
    expect(await adapter().check()).toMatchObject({ ok: true, detail: expect.stringContaining(`"${MODEL}" is pulled`) });
    expect(fake.requests.at(-1)).toMatchObject({ method: "GET", path: "/api/tags" });
    const missing = await adapter({ modelId: "qwen3:8b" }).check();
    expect(missing).toMatchObject({ ok: false, detail: expect.stringContaining("ollama pull qwen3:8b") });
    const port = await closedPort();
    const down = await createOllamaAdapter({ modelId: MODEL, baseUrl: `http://127.0.0.1:${port}` }).check();
    expect(down).toMatchObject({ ok: false, detail: expect.stringContaining("ollama serve") });
  });
});
