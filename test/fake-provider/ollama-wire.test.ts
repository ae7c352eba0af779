import { Ollama } from "ollama";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "./index.js";

let fake: FakeProvider;
let client: Ollama;

beforeAll(async () => {
  fake = await startFakeProvider({ models: ["llama3.2:1b"] });
  client = new Ollama({ host: fake.url });
});
beforeEach(() => fake.reset());
afterAll(() => fake.close());

const messages = [{ role: "user", content: "hi" }];

describe("Ollama wire format, read by the official client", () => {
  it("answers stream:false with one object carrying done, done_reason and counts", async () => {
    fake.script("llama3.2:1b", { text: "Hi!", usage: { inputTokens: 26, outputTokens: 4 }, finishReason: "length" });
    const response = await client.chat({ model: "llama3.2:1b", messages, stream: false });
    expect(response).toMatchObject({ model: "llama3.2:1b", message: { role: "assistant", content: "Hi!" }, done: true, done_reason: "length", prompt_eval_count: 26, eval_count: 4 });
    expect(Number.isNaN(Date.parse(String(response.created_at)))).toBe(false);
  });

  it("streams NDJSON by default, ending in one done line", async () => {
    fake.script("llama3.2:1b", { text: ["Hel", "lo"] });
    const parts = [];
    for await (const part of await client.chat({ model: "llama3.2:1b", messages, stream: true })) parts.push(part);
    expect(parts.map((p) => p.message.content)).toEqual(["Hel", "lo", ""]);
    expect(parts.map((p) => p.done)).toEqual([false, false, true]);
    expect(parts.at(-1)).toMatchObject({ done_reason: "stop", prompt_eval_count: 10, eval_count: 2 });
    expect(fake.requests[0]).toMatchObject({ format: "ollama", path: "/api/chat", stream: true });
  });

  it("sends tool calls with arguments as objects, streamed and not", async () => {
    const toolCalls = [
      { name: "get_weather", arguments: { city: "Paris" } },
      { name: "get_time", arguments: '{"tz":"UTC"}', id: "call_9" },
    ];
    fake.script("llama3.2:1b", { toolCalls }, { toolCalls });
    const whole = await client.chat({ model: "llama3.2:1b", messages, stream: false });
    expect(whole.message.tool_calls).toEqual([
      { function: { index: 0, name: "get_weather", arguments: { city: "Paris" } } },
      { id: "call_9", function: { index: 1, name: "get_time", arguments: { tz: "UTC" } } },
    ]);
    // Ollama reports `stop`, not a tool-specific reason, when a turn ends in tool calls.
    expect(whole.done_reason).toBe("stop");

    const streamed = [];
    for await (const part of await client.chat({ model: "llama3.2:1b", messages, stream: true })) streamed.push(part);
    expect(streamed.flatMap((p) => p.message.tool_calls ?? []).map((c) => c.function.arguments)).toEqual([{ city: "Paris" }, { tz: "UTC" }]);
  });

  it("sends errors as {error} with the status", async () => {
    fake.script("llama3.2:1b", { fault: "status", status: 404, message: 'model "llama3.2:1b" not found, try pulling it first' });
    const error = await client.chat({ model: "llama3.2:1b", messages, stream: false }).catch((e: unknown) => e);
    expect(error).toMatchObject({ status_code: 404, error: 'model "llama3.2:1b" not found, try pulling it first' });

    fake.script("llama3.2:1b", { fault: "stream-error", afterChunks: 1, message: "out of memory" });
    const seen: string[] = [];
    const failing = (async () => {
      for await (const part of await client.chat({ model: "llama3.2:1b", messages, stream: true })) seen.push(part.message.content);
    })();
    await expect(failing).rejects.toThrow("out of memory");
    expect(seen).toEqual(["Hello"]);
  });

  it("lists models, reports a version and answers the root probe", async () => {
    const { models } = await client.list();
    expect(models.map((m) => m.name)).toEqual(["llama3.2:1b"]);
    expect(models[0]).toMatchObject({ model: "llama3.2:1b", details: { format: "gguf" } });
    expect(await client.version()).toEqual({ version: expect.any(String) });
    const root = await fetch(fake.url);
    expect(await root.text()).toBe("Ollama is running");
  });
});
