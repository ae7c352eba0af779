import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { collectStream, LfError, ProviderError, type ChatMessage, type ModelCallOptions } from "../../runtime/core/index.js";
import { createOpenAIAdapter } from "../../runtime/providers/openai/index.js";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { closedPort, drain, fetchReturning, forbiddenFetch, partTypes, responseSignals, settle, textOfParts } from "./support.js";

let fake: FakeProvider;
const KEY = "sk-test-0123456789abcdef";

beforeAll(async () => {
  fake = await startFakeProvider({ apiKey: KEY });
});
beforeEach(() => fake.reset());
afterAll(() => fake.close());

function adapter(overrides: Partial<Parameters<typeof createOpenAIAdapter>[0]> = {}) {
  return createOpenAIAdapter({ modelId: "gpt-a", baseUrl: `${fake.url}/v1`, apiKey: KEY, ...overrides });
}

const hello: ModelCallOptions = {
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "hi" },
  ],
  parameters: {},
};

describe("OpenAI adapter: what it sends", () => {
  it("sends the model id, messages in order, mapped parameters, extras, extra_body and the key", async () => {
    fake.script("gpt-a", { text: ["Hel", "lo", "!"], usage: { inputTokens: 12, outputTokens: 3 } });
    const parameters = { temperature: 0.2, max_tokens: 64, top_p: 0.9, stop: ["END"], seed: 7, frequency_penalty: 0.1, presence_penalty: 0.3, top_k: 40, num_ctx: 4096, min_p: 0.05 };
    const model = adapter({ extraBody: { chat_template_kwargs: { enable_thinking: false }, stream: false }, headers: { "X-Team": "lf" } });
    const { parts, thrown } = await drain(model.stream({ ...hello, parameters }));
    expect(thrown).toBeUndefined();

    const request = fake.requests[0]!;
    expect(request).toMatchObject({ path: "/v1/chat/completions", model: "gpt-a", stream: true });
    expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request.headers["x-team"]).toBe("lf");
    expect(request.body).toEqual({
      model: "gpt-a",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hi" },
      ],
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.2,
      max_tokens: 64,
      top_p: 0.9,
      stop: ["END"],
      seed: 7,
      frequency_penalty: 0.1,
      presence_penalty: 0.3,
      // Unknown parameters pass through; top_k and num_ctx are not OpenAI's and are left out.
      min_p: 0.05,
      chat_template_kwargs: { enable_thinking: false },
    });

    expect(partTypes(parts)).toEqual(["text-delta", "text-delta", "text-delta", "usage", "finish"]);
    expect(textOfParts(parts)).toBe("Hello!");
    expect(parts.at(-2)).toEqual({ type: "usage", usage: { inputTokens: 12, outputTokens: 3 } });
    expect(parts.at(-1)).toEqual({ type: "finish", finishReason: "stop" });
  });

  it("sends tools, tool_choice, images and response formats in OpenAI's shape", async () => {
    const tools = [{ name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } } } }];
    const messages: ChatMessage[] = [
      {
        role: "user",
        content: [
          { type: "text", text: "What is this?" },
          { type: "image", url: "data:image/png;base64,iVBORw0KGgo=" },
          { type: "image", url: "https://example.com/cat.png" },
        ],
      },
    ];
    const model = adapter();
    await collectStream(model.stream({ messages, parameters: {}, tools, toolChoice: { name: "get_weather" } }));
    await collectStream(model.stream({ messages, parameters: {}, tools, toolChoice: "required", responseFormat: { type: "json_object" } }));
    await collectStream(model.stream({ messages, parameters: {}, toolChoice: "auto", responseFormat: { type: "json_schema", name: "answer", schema: { type: "object" } } }));

    const [named, required, schema] = fake.requests.map((request) => request.body as Record<string, unknown>);
    expect(named!.tools).toEqual([{ type: "function", function: { name: "get_weather", description: "Weather for a city", parameters: tools[0]!.parameters } }]);
    expect(named!.tool_choice).toEqual({ type: "function", function: { name: "get_weather" } });
    expect(named!.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What is this?" },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          { type: "image_url", image_url: { url: "https://example.com/cat.png" } },
        ],
      },
    ]);
    expect(required).toMatchObject({ tool_choice: "required", response_format: { type: "json_object" } });
    // A tool choice without tools is not sent: the API refuses it.
    expect(schema!.tool_choice).toBeUndefined();
    expect(schema!.response_format).toEqual({ type: "json_schema", json_schema: { name: "answer", schema: { type: "object" } } });
  });

  it("uses max_completion_tokens on api.openai.com, where max_tokens is refused by newer models", () => {
    const official = createOpenAIAdapter({ modelId: "gpt-5", apiKey: KEY, fetch: forbiddenFetch });
    const preview = official.preview({ ...hello, parameters: { max_tokens: 10 } });
    expect(preview.url).toBe("https://api.openai.com/v1/chat/completions");
    expect(preview.body).toMatchObject({ max_completion_tokens: 10 });
    expect(preview.body).not.toHaveProperty("max_tokens");
  });
});

describe("OpenAI adapter: tool calls", () => {
  it("assembles several streamed tool calls in one turn into whole tool-call parts", async () => {
    fake.script("gpt-a", {
      text: "Checking.",
      toolCalls: [
        { name: "get_weather", arguments: { city: "Paris", unit: "c" }, id: "call_1", fragments: 4 },
        { name: "get_time", arguments: '{"tz":"Europe/Paris"}', id: "call_2", fragments: 3 },
      ],
    });
    const result = await collectStream(adapter().stream(hello));
    expect(result.text).toBe("Checking.");
    expect(result.toolCalls).toEqual([
      { id: "call_1", name: "get_weather", arguments: '{"city":"Paris","unit":"c"}' },
      { id: "call_2", name: "get_time", arguments: '{"tz":"Europe/Paris"}' },
    ]);
    expect(result.finishReason).toBe("tool-calls");
  });

  it("sends the tool-call round trip as assistant tool_calls and role: tool messages", async () => {
    fake.script("gpt-a", "It is 18°C in Paris.");
    const messages: ChatMessage[] = [
      { role: "system", content: "Use tools." },
      { role: "user", content: "Weather and time in Paris?" },
      {
        role: "assistant",
        content: null,
        toolCalls: [
          { id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
          { id: "call_2", name: "get_time", arguments: "" },
        ],
      },
      { role: "tool", toolCallId: "call_1", content: "18°C" },
      { role: "tool", toolCallId: "call_2", content: "clock unavailable", isError: true },
    ];
    const result = await collectStream(adapter().stream({ messages, parameters: {} }));
    expect(result.text).toBe("It is 18°C in Paris.");
    expect((fake.requests[0]!.body as { messages: unknown }).messages).toEqual([
      { role: "system", content: "Use tools." },
      { role: "user", content: "Weather and time in Paris?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
          { id: "call_2", type: "function", function: { name: "get_time", arguments: "{}" } },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: "18°C" },
      { role: "tool", tool_call_id: "call_2", content: "Error: clock unavailable" },
    ]);
  });

  it("separates calls that share index 0, and gives calls without an id one", async () => {
    const chunk = (delta: unknown, finish: string | null = null) => `data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const body = [
      chunk({ tool_calls: [{ index: 0, id: "call_a", type: "function", function: { name: "first", arguments: '{"n":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: "1}" } }] }),
      chunk({ tool_calls: [{ index: 0, id: "call_b", type: "function", function: { name: "second", arguments: "{}" } }] }),
      chunk({ tool_calls: [{ index: 1, type: "function", function: { name: "third", arguments: '{"x":true}' } }] }),
      // Some servers finish a tool turn with "stop".
      chunk({}, "stop"),
      "data: [DONE]\n\n",
    ].join("");
    const model = adapter({ fetch: fetchReturning(body, "text/event-stream"), generateId: () => "generated" });
    const result = await collectStream(model.stream(hello));
    expect(result.toolCalls).toEqual([
      { id: "call_a", name: "first", arguments: '{"n":1}' },
      { id: "call_b", name: "second", arguments: "{}" },
      { id: "generated", name: "third", arguments: '{"x":true}' },
    ]);
    expect(result.finishReason).toBe("tool-calls");
  });

  it("maps finish reasons", async () => {
    fake.script("gpt-a", { text: "cut", finishReason: "length" }, { text: "no", finishReason: "content_filter" });
    expect((await collectStream(adapter().stream(hello))).finishReason).toBe("length");
    expect((await collectStream(adapter().stream(hello))).finishReason).toBe("content-filter");
  });
});

describe("OpenAI adapter: errors", () => {
  it("turns 429 with Retry-After into a retryable rate_limited error, thrown before output", async () => {
    fake.script("gpt-a", { fault: "status", status: 429, headers: { "retry-after": "2", "x-ratelimit-remaining-requests": "0" }, message: "Slow down" });
    const { parts, thrown } = await drain(adapter().stream(hello));
    expect(parts).toEqual([]);
    expect(thrown).toBeInstanceOf(ProviderError);
    const error = thrown as ProviderError;
    expect(error).toMatchObject({ code: "rate_limited", status: 429, isRetryable: true, provider: "openai", modelId: "gpt-a", url: `${fake.url}/v1/chat/completions` });
    expect(error.retryAfterMs(0)).toBe(2000);
    expect(error.headers["x-ratelimit-remaining-requests"]).toBe("0");
    expect(error.message).toContain("Slow down");
    expect(error.message).toContain("retry after 2s");
  });

  it("says a 401 is about the key, names where it comes from, and never shows it", async () => {
    const wrong = "sk-wrong-key-abcdefghijkl";
    const { thrown } = await drain(adapter({ apiKey: wrong }).stream(hello));
    const error = thrown as ProviderError;
    expect(error).toMatchObject({ status: 401, isRetryable: false, code: "provider_error" });
    expect(error.message).toMatch(/key is missing or wrong/);
    expect(error.message).toContain("api_key");
    expect(error.message).not.toContain(wrong);

    const fromEnv = createOpenAIAdapter({ modelId: "gpt-a", baseUrl: "https://api.openai.com/v1", env: { OPENAI_API_KEY: wrong }, fetch: async () => new Response(JSON.stringify({ error: { message: `Incorrect API key provided: ${wrong}` } }), { status: 401, headers: { "content-type": "application/json" } }) });
    const envError = (await drain(fromEnv.stream(hello))).thrown as ProviderError;
    expect(envError.message).toContain("OPENAI_API_KEY");
    expect(envError.message).not.toContain(wrong);

    // Upstream text that echoes the key is redacted.
    const echo = createOpenAIAdapter({ modelId: "gpt-a", baseUrl: fake.url, apiKey: wrong, fetch: async () => new Response(JSON.stringify({ error: { message: `bad request from ${wrong}` } }), { status: 400, headers: { "content-type": "application/json" } }) });
    const echoed = (await drain(echo.stream(hello))).thrown as ProviderError;
    expect(echoed.message).toContain("bad request from sk-…****");
    expect(echoed.message).not.toContain(wrong);
  });

  it("fails fast without a key for api.openai.com, and sends no key to a custom server without one", async () => {
    const official = createOpenAIAdapter({ modelId: "gpt-4o", env: {}, fetch: forbiddenFetch });
    const { thrown } = await drain(official.stream(hello));
    expect(thrown).toMatchObject({ code: "config_invalid", isRetryable: false });
    expect((thrown as Error).message).toContain("OPENAI_API_KEY");
    expect((thrown as Error).message).toContain("api_key: ${env:OPENAI_API_KEY}");
    expect(await official.check()).toMatchObject({ ok: false, detail: expect.stringContaining("OPENAI_API_KEY") });

    const open = await startFakeProvider();
    try {
      // A server other than api.openai.com gets no Authorization header unless the model names a key:
      // OPENAI_API_KEY is never sent to a third party.
      await collectStream(createOpenAIAdapter({ modelId: "local", baseUrl: `${open.url}/v1`, env: {} }).stream(hello));
      expect(open.requests[0]!.headers.authorization).toBeUndefined();
      await collectStream(createOpenAIAdapter({ modelId: "local", baseUrl: `${open.url}/v1`, env: { OPENAI_API_KEY: KEY } }).stream(hello));
      expect(open.requests[1]!.headers.authorization).toBeUndefined();
    } finally {
      await open.close();
    }
  });

  it("maps 404 to model_not_found and 500 to a retryable error", async () => {
    fake.script("gpt-a", { fault: "status", status: 404, message: "The model 'gpt-a' does not exist" }, { fault: "status", status: 500, message: "boom" });
    const missing = (await drain(adapter().stream(hello))).thrown as ProviderError;
    expect(missing).toMatchObject({ code: "model_not_found", status: 404, isRetryable: false });
    expect(missing.message).toContain('model "gpt-a" was not found');
    const failed = (await drain(adapter().stream(hello))).thrown as ProviderError;
    expect(failed).toMatchObject({ status: 500, isRetryable: true });
    expect(failed.message).toContain("boom");
  });

  it("keeps the message of error bodies in other servers' shapes", async () => {
    const vllm = adapter({ fetch: async () => new Response(JSON.stringify({ object: "error", message: "context too long", code: 400 }), { status: 400, headers: { "content-type": "application/json" } }) });
    expect((await drain(vllm.stream(hello))).thrown).toMatchObject({ code: "invalid_request", status: 400, message: expect.stringContaining("context too long") });
    const plain = adapter({ fetch: async () => new Response("upstream exploded", { status: 502 }) });
    expect((await drain(plain.stream(hello))).thrown).toMatchObject({ code: "provider_unavailable", status: 502, message: expect.stringContaining("upstream exploded") });
  });

  it("throws a retryable error for a reset before the headers", async () => {
    fake.script("gpt-a", { fault: "reset" });
    const { parts, thrown } = await drain(adapter().stream(hello));
    expect(parts).toEqual([]);
    expect(thrown).toMatchObject({ code: "provider_unreachable", isRetryable: true });
  });

  it("ends with an error part when the stream is cut after output", async () => {
    fake.script("gpt-a", { text: ["one", " two", " three"], fault: { fault: "reset", afterChunks: 2 } });
    const { parts, thrown } = await drain(adapter().stream(hello));
    expect(thrown).toBeUndefined();
    expect(textOfParts(parts)).toBe("one two");
    expect(parts.at(-1)).toMatchObject({ type: "error", error: { code: "provider_error", isRetryable: true } });
    expect(parts.some((part) => part.type === "finish")).toBe(false);
  });

  it("treats a stream that closes cleanly without finish_reason as cut off", async () => {
    const chunk = (content: string) => `data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 0, model: "gpt-a", choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
    const model = adapter({ fetch: fetchReturning(chunk("partial") + chunk(" answer"), "text/event-stream") });
    const { parts } = await drain(model.stream(hello));
    expect(textOfParts(parts)).toBe("partial answer");
    expect(parts.at(-1)).toMatchObject({ type: "error", error: { message: expect.stringContaining("cut off") } });
  });

  it("reports malformed JSON: thrown before output, an error part after", async () => {
    fake.script("gpt-a", { fault: "malformed", afterChunks: 0 }, { text: ["a", "b"], fault: { fault: "malformed", afterChunks: 1 } });
    const before = await drain(adapter().stream(hello));
    expect(before.thrown).toMatchObject({ code: "provider_error", message: expect.stringContaining("malformed JSON") });
    const after = await drain(adapter().stream(hello));
    expect(textOfParts(after.parts)).toBe("a");
    expect(after.parts.at(-1)).toMatchObject({ type: "error", error: { message: expect.stringContaining("malformed JSON") } });
  });

  it("turns an error event inside the stream into an error part", async () => {
    fake.script("gpt-a", { text: ["a", "b"], fault: { fault: "stream-error", afterChunks: 1, message: "model crashed" } });
    const { parts } = await drain(adapter().stream(hello));
    expect(parts.at(-1)).toMatchObject({ type: "error", error: { isRetryable: true, message: expect.stringContaining("model crashed") } });
  });

  it("names the URL when the connection is refused", async () => {
    const port = await closedPort();
    const model = createOpenAIAdapter({ modelId: "m", provider: "universal", baseUrl: `http://127.0.0.1:${port}/v1` });
    const { thrown } = await drain(model.stream(hello));
    expect(thrown).toMatchObject({ code: "provider_unreachable", isRetryable: true, provider: "universal" });
    expect((thrown as Error).message).toContain(`http://127.0.0.1:${port}/v1/chat/completions`);
    expect((thrown as Error).message).toContain("ECONNREFUSED");
  });
});

describe("OpenAI adapter: the response", () => {
  it("says when the provider has answered, once, before the first part, and not for an error status", async () => {
    fake.script("gpt-a", { text: "Hello there" }, { fault: "status", status: 503, message: "overloaded" });
    await responseSignals(() => adapter(), hello);
  });
});

describe("OpenAI adapter: cancellation", () => {
  it("aborts the upstream request when the caller's signal fires", async () => {
    fake.script("gpt-a", { text: ["a", "b", "c", "d"], chunkDelayMs: 200 });
    const controller = new AbortController();
    const parts = [];
    for await (const part of adapter().stream({ ...hello, signal: controller.signal })) {
      parts.push(part);
      if (part.type === "text-delta") controller.abort();
    }
    await fake.settled();
    expect(fake.requests[0]!.aborted).toBe(true);
    expect(parts.at(-1)).toMatchObject({ type: "error", error: { code: "aborted" } });
  });

  it("aborts the upstream request when the consumer stops reading", async () => {
    fake.script("gpt-a", { text: ["a", "b", "c", "d"], chunkDelayMs: 200 });
    for await (const part of adapter().stream(hello)) if (part.type === "text-delta") break;
    await fake.settled();
    expect(fake.requests[0]!.aborted).toBe(true);
  });

  it("throws aborted without calling when the signal has already fired", async () => {
    const { thrown } = await drain(adapter({ fetch: forbiddenFetch }).stream({ ...hello, signal: AbortSignal.abort() }));
    expect(thrown).toBeInstanceOf(LfError);
    expect(thrown).toMatchObject({ code: "aborted" });
  });
});

describe("OpenAI adapter: preview and check", () => {
  it("previews exactly the request it sends, with the key masked", async () => {
    const options: ModelCallOptions = { ...hello, parameters: { temperature: 0.5, max_tokens: 20, top_k: 3 }, tools: [{ name: "t", parameters: { type: "object" } }], toolChoice: "auto" };
    const model = adapter({ headers: { "X-Team": "lf" }, extraBody: { repetition_penalty: 1.1 } });
    const preview = model.preview(options);
    await collectStream(model.stream(options));
    const sent = fake.requests[0]!;
    expect(preview.method).toBe(sent.method);
    expect(preview.url).toBe(`${fake.url}${sent.path}`);
    expect(preview.body).toEqual(sent.body);
    expect(preview.headers).toMatchObject({ authorization: "Bearer sk-…****", "content-type": "application/json", "x-team": "lf" });
    expect(JSON.stringify(preview)).not.toContain(KEY);
  });

  it("uses the LlamaFarm runtimes' default base URLs", () => {
    expect(createOpenAIAdapter({ modelId: "m", provider: "universal" }).preview(hello).url).toBe("http://localhost:11540/v1/chat/completions");
    expect(createOpenAIAdapter({ modelId: "m", provider: "lemonade" }).preview(hello).url).toBe("http://localhost:11534/api/v1/chat/completions");
  });

  it("checks connectivity by listing models", async () => {
    fake.always("gpt-a", "x");
    const ok = await adapter().check();
    expect(ok).toMatchObject({ ok: true, detail: expect.stringContaining('"gpt-a" is listed') });
    expect(fake.requests.at(-1)).toMatchObject({ method: "GET", path: "/v1/models" });
    const port = await closedPort();
    const down = await createOpenAIAdapter({ modelId: "m", baseUrl: `http://127.0.0.1:${port}/v1` }).check();
    expect(down).toMatchObject({ ok: false, detail: expect.stringContaining(`127.0.0.1:${port}`) });
  });
});
