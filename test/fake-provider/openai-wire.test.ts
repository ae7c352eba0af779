import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "./index.js";

let fake: FakeProvider;
let client: OpenAI;

beforeAll(async () => {
  fake = await startFakeProvider();
  client = new OpenAI({ apiKey: "sk-test", baseURL: `${fake.url}/v1`, maxRetries: 0 });
});
beforeEach(() => fake.reset());
afterAll(() => fake.close());

const messages = [{ role: "user" as const, content: "hi" }];

describe("OpenAI wire format, read by the official SDK", () => {
  it("answers a non-streaming completion with text, usage and finish reason", async () => {
    fake.script("gpt-a", { text: "Hello there", usage: { inputTokens: 7, outputTokens: 3 }, finishReason: "length" });
    const completion = await client.chat.completions.create({ model: "gpt-a", messages });
    expect(completion.object).toBe("chat.completion");
    expect(completion.model).toBe("gpt-a");
    expect(completion.choices[0]?.message).toMatchObject({ role: "assistant", content: "Hello there" });
    expect(completion.choices[0]?.finish_reason).toBe("length");
    expect(completion.usage).toEqual({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
  });

  it("streams text chunks, and usage only when include_usage asks for it", async () => {
    fake.script("gpt-a", { text: ["Hel", "lo", " world"] }, { text: ["a", "b"] });
    const chunks = [];
    for await (const chunk of await client.chat.completions.create({ model: "gpt-a", messages, stream: true, stream_options: { include_usage: true } })) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Hello world");
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 3 });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);

    const plain = [];
    for await (const chunk of await client.chat.completions.create({ model: "gpt-a", messages, stream: true })) plain.push(chunk);
    expect(plain.every((c) => c.usage === undefined && c.choices.length === 1)).toBe(true);
    expect(plain.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("ab");
  });

  it("streams several tool calls incrementally, and the SDK reassembles them", async () => {
    const reply = {
      text: "Checking.",
      toolCalls: [
        { name: "get_weather", arguments: { city: "Paris", unit: "c" }, id: "call_1" },
        { name: "get_time", arguments: '{"tz":"Europe/Paris"}', fragments: 4 },
      ],
    };
    fake.script("gpt-a", reply);
    const deltas: unknown[] = [];
    const runner = client.chat.completions.stream({ model: "gpt-a", messages });
    runner.on("chunk", (chunk) => deltas.push(...(chunk.choices[0]?.delta.tool_calls ?? [])));
    const final = await runner.finalChatCompletion();
    const message = final.choices[0]!.message;
    expect(final.choices[0]?.finish_reason).toBe("tool_calls");
    expect(message.content).toBe("Checking.");
    expect(message.tool_calls).toEqual([
      { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris","unit":"c"}' } },
      { id: expect.stringMatching(/^call_/), type: "function", function: { name: "get_time", arguments: '{"tz":"Europe/Paris"}' } },
    ]);
    // One opening delta per call, then argument fragments that carry only index and text.
    expect(deltas.length).toBe(2 + 3 + 4);
    expect(deltas[1]).toEqual({ index: 0, function: { arguments: expect.any(String) } });

    fake.script("gpt-a", { toolCalls: [{ name: "noop" }] });
    const whole = await client.chat.completions.create({ model: "gpt-a", messages });
    expect(whole.choices[0]?.message.content).toBeNull();
    expect(whole.choices[0]?.message.tool_calls?.[0]).toMatchObject({ type: "function", function: { name: "noop", arguments: "{}" } });
  });

  it("sends errors in OpenAI's shape with their status and headers", async () => {
    fake.script("gpt-a", { fault: "status", status: 429, headers: { "retry-after": "2" }, message: "Slow down" });
    const error = await client.chat.completions.create({ model: "gpt-a", messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(429);
    expect(apiError.headers?.get("retry-after")).toBe("2");
    expect(apiError.error).toEqual({ message: "Slow down", type: "requests", param: null, code: "rate_limit_exceeded" });

    fake.script("gpt-a", { fault: "status", status: 401 });
    await expect(client.chat.completions.create({ model: "gpt-a", messages })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it("rejects requests the real API rejects, and lists models", async () => {
    const error = await client.chat.completions.create({ model: "", messages }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ type: "invalid_request_error" });

    fake.always("gpt-z", "z");
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    expect(models).toEqual(["fake-model", "gpt-z"]);
  });

  it("accepts the path without /v1 and records what was sent", async () => {
    const bare = new OpenAI({ apiKey: "sk-other", baseURL: fake.url, maxRetries: 0 });
    const completion = await bare.chat.completions.create({ model: "m", messages, temperature: 0.2 });
    expect(completion.choices[0]?.message.content).toBe("Hello from the fake provider.");
    expect(fake.requests[0]).toMatchObject({ format: "openai", method: "POST", path: "/chat/completions", model: "m", stream: false });
    expect(fake.requests[0]?.headers.authorization).toBe("Bearer sk-other");
    expect(fake.requests[0]?.body).toMatchObject({ temperature: 0.2, messages });
  });
});
