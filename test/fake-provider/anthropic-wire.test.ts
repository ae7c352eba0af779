import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "./index.js";

let fake: FakeProvider;
let client: Anthropic;

beforeAll(async () => {
  fake = await startFakeProvider({ models: ["claude-a"] });
  client = new Anthropic({ apiKey: "sk-ant-test", baseURL: fake.url, maxRetries: 0 });
});
beforeEach(() => fake.reset());
afterAll(() => fake.close());

const request = { model: "claude-a", max_tokens: 64, messages: [{ role: "user" as const, content: "hi" }] };

describe("Anthropic wire format, read by the official SDK", () => {
  it("answers a message with text and tool_use blocks, stop reason and usage", async () => {
    fake.script("claude-a", { text: "Let me look.", toolCalls: [{ name: "get_weather", arguments: { city: "Paris" }, id: "toolu_1" }], usage: { inputTokens: 12, outputTokens: 8 } });
    const message = await client.messages.create(request);
    expect(message).toMatchObject({ type: "message", role: "assistant", model: "claude-a", stop_reason: "tool_use", stop_sequence: null });
    expect(message.content).toEqual([
      { type: "text", text: "Let me look." },
      { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
    ]);
    expect(message.usage).toMatchObject({ input_tokens: 12, output_tokens: 8 });

    fake.script("claude-a", { text: "cut", finishReason: "length" });
    expect((await client.messages.create(request)).stop_reason).toBe("max_tokens");
  });

  it("streams the full event sequence, with text and input_json deltas the SDK reassembles", async () => {
    fake.script("claude-a", { text: ["Let", " me", " look."], toolCalls: [{ name: "a", arguments: { x: 1 } }, { name: "b", arguments: { y: [1, 2] }, fragments: 5 }] });
    const events: string[] = [];
    const stream = client.messages.stream(request);
    stream.on("streamEvent", (event) => events.push(event.type === "content_block_delta" ? event.delta.type : event.type));
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe("tool_use");
    expect(final.content).toEqual([
      { type: "text", text: "Let me look." },
      { type: "tool_use", id: expect.stringMatching(/^toolu_/), name: "a", input: { x: 1 } },
      { type: "tool_use", id: expect.stringMatching(/^toolu_/), name: "b", input: { y: [1, 2] } },
    ]);
    expect(final.usage.output_tokens).toBe(3 + 3 + 5);
    expect(events.slice(0, 3)).toEqual(["message_start", "content_block_start", "text_delta"]);
    expect(events.filter((e) => e === "input_json_delta")).toHaveLength(3 + 5);
    expect(events.slice(-2)).toEqual(["message_delta", "message_stop"]);
  });

  it("sends a ping the raw stream carries and the SDK skips", async () => {
    const response = await fetch(`${fake.url}/v1/messages`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...request, stream: true }) });
    const text = await response.text();
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(text).toMatch(/^event: message_start\ndata: /);
    expect(text).toContain('event: ping\ndata: {"type": "ping"}\n\n');
    expect(text.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n')).toBe(true);
  });

  it("sends errors in Anthropic's shape, over HTTP and inside a stream", async () => {
    fake.script("claude-a", { fault: "status", status: 529, message: "Overloaded" });
    const error = await client.messages.create(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((error as InstanceType<typeof Anthropic.APIError>).error).toEqual({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } });

    const missing = await client.messages.create({ ...request, max_tokens: undefined as unknown as number }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Anthropic.BadRequestError);

    fake.script("claude-a", { fault: "stream-error", afterChunks: 2 });
    let text = "";
    const stream = client.messages.stream(request).on("text", (delta) => (text += delta));
    await expect(stream.finalMessage()).rejects.toMatchObject({ error: { error: { type: "overloaded_error" } } });
    expect(text).toBe("Hello from");
  });

  it("lists models in Anthropic's shape when the client sends anthropic-version", async () => {
    const page = await client.models.list();
    expect(page.data).toEqual([{ type: "model", id: "claude-a", display_name: "claude-a", created_at: expect.any(String) }]);
    expect(fake.requests[0]).toMatchObject({ format: "anthropic", path: "/v1/models" });
  });
});
