import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { collectStream, ProviderError, type ChatMessage, type ModelCallOptions } from "../../runtime/core/index.js";
import { createAnthropicAdapter } from "../../runtime/providers/anthropic/index.js";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { closedPort, drain, fetchReturning, forbiddenFetch, partTypes, responseSignals, settle, textOfParts } from "./support.js";

let fake: FakeProvider;
const KEY = "sk-ant-test-0123456789";
const MODEL = "claude-a";

beforeAll(async () => {
  fake = await startFakeProvider({ apiKey: KEY, models: [MODEL] });
});
beforeEach(() => fake.reset());
afterAll(() => fake.close());

function adapter(overrides: Partial<Parameters<typeof createAnthropicAdapter>[0]> = {}) {
  return createAnthropicAdapter({ modelId: MODEL, baseUrl: fake.url, apiKey: KEY, ...overrides });
}

const hello: ModelCallOptions = {
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "hi" },
  ],
  parameters: {},
};

describe("Anthropic adapter: what it sends", () => {
  it("sends the system prompt as its own field, max_tokens, mapped parameters and x-api-key", async () => {
    fake.script(MODEL, { text: ["Hel", "lo"], usage: { inputTokens: 12, outputTokens: 2 } });
    const parameters = { temperature: 0.2, top_p: 0.9, top_k: 40, stop: ["END"], seed: 7, num_ctx: 8192, frequency_penalty: 0.5 };
    const { parts, thrown } = await drain(adapter({ headers: { "anthropic-beta": "x-2025" } }).stream({ ...hello, parameters }));
    expect(thrown).toBeUndefined();
    const request = fake.requests[0]!;
    expect(request).toMatchObject({ path: "/v1/messages", model: MODEL, stream: true });
    expect(request.headers["x-api-key"]).toBe(KEY);
    expect(request.headers.authorization).toBeUndefined();
    expect(request.headers["anthropic-version"]).toBe("2023-06-01");
    expect(request.headers["anthropic-beta"]).toBe("x-2025");
    expect(request.body).toEqual({
      model: MODEL,
      system: "Be brief.",
      messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
      max_tokens: 4096,
      stream: true,
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ["END"],
    });
    expect(partTypes(parts)).toEqual(["text-delta", "text-delta", "usage", "finish"]);
    expect(textOfParts(parts)).toBe("Hello");
    expect(parts.slice(-2)).toEqual([
      { type: "usage", usage: { inputTokens: 12, outputTokens: 2 } },
      { type: "finish", finishReason: "stop" },
    ]);

    await collectStream(adapter().stream({ ...hello, parameters: { max_tokens: 50 } }));
    expect(fake.requests[1]!.body).toMatchObject({ max_tokens: 50 });
  });

  it("sends tools with input_schema, tool_choice and images as base64 or url blocks", async () => {
    const tools = [{ name: "get_weather", description: "Weather", parameters: { type: "object", properties: { city: { type: "string" } } } }];
    const messages: ChatMessage[] = [
      {
        role: "user",
        content: [
          { type: "text", text: "Compare" },
          { type: "image", url: "data:image/png;base64,iVBORw0KGgo=" },
          { type: "image", url: "https://example.com/cat.jpg" },
        ],
      },
    ];
    const model = adapter();
    await collectStream(model.stream({ messages, parameters: {}, tools, toolChoice: "required" }));
    await collectStream(model.stream({ messages, parameters: {}, tools, toolChoice: { name: "get_weather" } }));
    await collectStream(model.stream({ messages, parameters: {}, tools, toolChoice: "auto", responseFormat: { type: "json_object" } }));
    const [required, named, auto] = fake.requests.map((request) => request.body as Record<string, unknown>);
    expect(required!.tools).toEqual([{ name: "get_weather", description: "Weather", input_schema: tools[0]!.parameters }]);
    expect(required!.tool_choice).toEqual({ type: "any" });
    expect(named!.tool_choice).toEqual({ type: "tool", name: "get_weather" });
    expect(auto!.tool_choice).toEqual({ type: "auto" });
    expect(auto!.system).toMatch(/JSON object/);
    expect(required!.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "Compare" },
          { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
          { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
        ],
      },
    ]);
  });
});

describe("Anthropic adapter: tool calls", () => {
  it("assembles input_json deltas per block into several tool calls", async () => {
    fake.script(MODEL, {
      text: "Let me look.",
      toolCalls: [
        { name: "get_weather", arguments: { city: "Paris" }, id: "toolu_1", fragments: 4 },
        { name: "get_time", arguments: { tz: "UTC" }, id: "toolu_2", fragments: 2 },
        { name: "ping", id: "toolu_3" },
      ],
    });
    const result = await collectStream(adapter().stream(hello));
    expect(result.text).toBe("Let me look.");
    expect(result.toolCalls).toEqual([
      { id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}' },
      { id: "toolu_2", name: "get_time", arguments: '{"tz":"UTC"}' },
      { id: "toolu_3", name: "ping", arguments: "{}" },
    ]);
    expect(result.finishReason).toBe("tool-calls");
  });

  it("sends tool_use blocks and merges consecutive tool results into one user turn", async () => {
    fake.script(MODEL, "Done.");
    const messages: ChatMessage[] = [
      { role: "system", content: "Use tools." },
      { role: "user", content: "Weather and time?" },
      {
        role: "assistant",
        content: "Checking.",
        toolCalls: [
          { id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}' },
          { id: "toolu_2", name: "get_time", arguments: "" },
        ],
      },
      { role: "tool", toolCallId: "toolu_1", content: "18°C" },
      { role: "tool", toolCallId: "toolu_2", content: "clock unavailable", isError: true },
      { role: "user", content: "Thanks, and?" },
    ];
    await collectStream(adapter().stream({ messages, parameters: {} }));
    const body = fake.requests[0]!.body as { system: string; messages: unknown };
    expect(body.system).toBe("Use tools.");
    expect(body.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Weather and time?" }] },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Checking." },
          { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
          { type: "tool_use", id: "toolu_2", name: "get_time", input: {} },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "toolu_1", content: "18°C" },
          { type: "tool_result", tool_use_id: "toolu_2", content: "clock unavailable", is_error: true },
          { type: "text", text: "Thanks, and?" },
        ],
      },
    ]);
  });

  it("maps stop reasons", async () => {
    fake.script(MODEL, { text: "cut", finishReason: "length" }, { text: "no", finishReason: "content_filter" });
    expect((await collectStream(adapter().stream(hello))).finishReason).toBe("length");
    expect((await collectStream(adapter().stream(hello))).finishReason).toBe("content-filter");
  });
});

describe("Anthropic adapter: errors", () => {
  it("429 with Retry-After is retryable, 401 is not and names the key's source", async () => {
    fake.script(MODEL, { fault: "status", status: 429, headers: { "retry-after": "7" }, message: "Number of request tokens has exceeded your per-minute rate limit" });
    const limited = (await drain(adapter().stream(hello))).thrown as ProviderError;
    expect(limited).toMatchObject({ code: "rate_limited", status: 429, isRetryable: true, provider: "anthropic", url: `${fake.url}/v1/messages` });
    expect(limited.retryAfterMs(0)).toBe(7000);

    const wrong = "sk-ant-wrong-abcdefghijkl";
    const denied = (await drain(adapter({ apiKey: wrong }).stream(hello))).thrown as ProviderError;
    expect(denied).toMatchObject({ status: 401, isRetryable: false });
    expect(denied.message).toContain("key is missing or wrong");
    expect(denied.message).not.toContain(wrong);

    const official = createAnthropicAdapter({ modelId: MODEL, env: { ANTHROPIC_API_KEY: wrong }, fetch: async () => new Response(JSON.stringify({ type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } }), { status: 401, headers: { "content-type": "application/json" } }) });
    const envDenied = (await drain(official.stream(hello))).thrown as ProviderError;
    expect(envDenied.message).toContain("ANTHROPIC_API_KEY");
    expect(envDenied.message).not.toContain(wrong);
  });

  it("fails fast without a key for api.anthropic.com", async () => {
    const official = createAnthropicAdapter({ modelId: MODEL, env: {}, fetch: forbiddenFetch });
    const { thrown } = await drain(official.stream(hello));
    expect(thrown).toMatchObject({ code: "config_invalid", isRetryable: false });
    expect((thrown as Error).message).toContain("ANTHROPIC_API_KEY");
    expect((thrown as Error).message).toContain("api_key: ${env:ANTHROPIC_API_KEY}");
  });

  it("maps 404, 529 and a reset before headers", async () => {
    fake.script(MODEL, { fault: "status", status: 404, message: "model: claude-a" }, { fault: "status", status: 529, message: "Overloaded" }, { fault: "reset" });
    expect((await drain(adapter().stream(hello))).thrown).toMatchObject({ code: "model_not_found", status: 404, isRetryable: false });
    expect((await drain(adapter().stream(hello))).thrown).toMatchObject({ code: "provider_unavailable", status: 529, isRetryable: true, message: expect.stringContaining("Overloaded") });
    expect((await drain(adapter().stream(hello))).thrown).toMatchObject({ code: "provider_unreachable", isRetryable: true });
  });

  it("ends with an error part when cut after output, or when an error event arrives", async () => {
    fake.script(MODEL, { text: ["a", "b", "c"], fault: { fault: "reset", afterChunks: 2 } }, { text: ["a", "b"], fault: { fault: "stream-error", afterChunks: 1, message: "Overloaded" } });
    const cut = await drain(adapter().stream(hello));
    expect(textOfParts(cut.parts)).toBe("ab");
    expect(cut.parts.at(-1)).toMatchObject({ type: "error", error: { isRetryable: true } });
    const overloaded = await drain(adapter().stream(hello));
    expect(textOfParts(overloaded.parts)).toBe("a");
    expect(overloaded.parts.at(-1)).toMatchObject({ type: "error", error: { status: 529, isRetryable: true, message: expect.stringContaining("Overloaded") } });
  });

  it("treats a stream without message_stop as cut off, and malformed JSON as an error", async () => {
    const events = [
      `event: message_start\ndata: ${JSON.stringify({ type: "message_start", message: { id: "m", type: "message", role: "assistant", model: MODEL, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } } })}\n\n`,
      `event: content_block_start\ndata: ${JSON.stringify({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } })}\n\n`,
      `event: content_block_delta\ndata: ${JSON.stringify({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "partial" } })}\n\n`,
    ].join("");
    const cut = await drain(adapter({ fetch: fetchReturning(events, "text/event-stream") }).stream(hello));
    expect(textOfParts(cut.parts)).toBe("partial");
    expect(cut.parts.at(-1)).toMatchObject({ type: "error", error: { message: expect.stringContaining("cut off") } });

    fake.script(MODEL, { text: ["a", "b"], fault: { fault: "malformed", afterChunks: 1 } });
    const malformed = await drain(adapter().stream(hello));
    expect(malformed.parts.at(-1)).toMatchObject({ type: "error", error: { message: expect.stringContaining("malformed JSON") } });
  });

  it("names the URL when the connection is refused", async () => {
    const port = await closedPort();
    const { thrown } = await drain(createAnthropicAdapter({ modelId: MODEL, apiKey: KEY, baseUrl: `http://127.0.0.1:${port}` }).stream(hello));
    expect(thrown).toMatchObject({ code: "provider_unreachable", message: expect.stringContaining(`http://127.0.0.1:${port}/v1/messages`) });
  });
});

describe("Anthropic adapter: the response", () => {
  it("says when the provider has answered, once, before the first part, and not for an error status", async () => {
    fake.script(MODEL, { text: "Hello there" }, { fault: "status", status: 503, message: "overloaded" });
    await responseSignals(() => adapter(), hello);
  });

  it("streams an answer however large max_tokens is (the SDK refuses only whole answers it expects to take over ten minutes)", async () => {
    fake.script(MODEL, { text: "long answer" });
    const { parts, thrown } = await drain(adapter().stream({ ...hello, parameters: { max_tokens: 64_000 } }));
    expect(thrown).toBeUndefined();
    expect(textOfParts(parts)).toBe("long answer");
    expect(fake.requests[0]!.body).toMatchObject({ max_tokens: 64_000, stream: true });
  });
});

describe("Anthropic adapter: cancellation, preview, check", () => {
  it("aborts the upstream request when the signal fires", async () => {
    fake.script(MODEL, { text: ["a", "b", "c"], chunkDelayMs: 200 });
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

  it("previews exactly the request it sends, with the key masked", async () => {
    const options: ModelCallOptions = { ...hello, parameters: { temperature: 0.3 }, tools: [{ name: "t", parameters: { type: "object" } }], toolChoice: "auto" };
    const model = adapter();
    const preview = model.preview(options);
    await collectStream(model.stream(options));
    const sent = fake.requests[0]!;
    expect(preview.url).toBe(`${fake.url}${sent.path}`);
    expect(preview.body).toEqual(sent.body);
    expect(preview.headers).toMatchObject({ "x-api-key": "sk-…****", "anthropic-version": sent.headers["anthropic-version"] });
    expect(JSON.stringify(preview)).not.toContain(KEY);
  });

  it("checks connectivity through the models endpoint", async () => {
    expect(await adapter().check()).toMatchObject({ ok: true, detail: expect.stringContaining(`"${MODEL}" is listed`) });
    expect(fake.requests.at(-1)).toMatchObject({ format: "anthropic", method: "GET", path: "/v1/models" });
    expect(await adapter({ apiKey: "sk-ant-wrong-000000" }).check()).toMatchObject({ ok: false, detail: expect.stringContaining("401") });
  });
});
