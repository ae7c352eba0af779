import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { SECRET, startTestServer, type TestServer } from "../server/support.js";
import { UPSTREAM as upstreamModel, wireModels, writeWireProject } from "./support.js";

let fake: FakeProvider;
let server: TestServer;

const weather: Anthropic.Tool = {
  name: "get_weather",
  description: "The weather in a city",
  input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

beforeAll(async () => {
  fake = await startFakeProvider();
  const file = await writeWireProject("claude", "openai", [
    ...wireModels(fake.url, ", capabilities: { vision: true }"),
    `{ name: claude-first, provider: anthropic, model: claude-down, base_url: "${fake.url}", api_key: test-key, fallbacks: [gpt-after] }`,
    `{ name: gpt-after, provider: openai, model: gpt-up, base_url: "${fake.url}/v1", api_key: test-key }`,
    `{ name: gpt-first, provider: openai, model: gpt-down, base_url: "${fake.url}/v1", api_key: test-key, fallbacks: [claude-after] }`,
    `{ name: claude-after, provider: anthropic, model: claude-up, base_url: "${fake.url}", api_key: test-key }`,
  ]);
  server = await startTestServer([file]);
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
});

/** Anthropic's client on the project's routes, sending its key as `x-api-key` as it always does. */
function claude(apiKey = SECRET): Anthropic {
  return new Anthropic({ baseURL: `${server.url}/v1/projects/tests/claude`, apiKey, maxRetries: 0, timeout: 10_000 });
}

describe("POST /v1/messages through @anthropic-ai/sdk", () => {
  for (const model of ["openai", "ollama", "anthropic"] as const) {
    describe(`answered by the ${model} wire`, () => {
      it("whole: system, text and usage come back as an Anthropic message", async () => {
        fake.script(upstreamModel[model], { text: "Hello from below", usage: { inputTokens: 12, outputTokens: 3 } });
        const message = await claude().messages.create({
          model,
          max_tokens: 64,
          system: [{ type: "text", text: "Be brief." }],
          temperature: 0.2,
          stop_sequences: ["END"],
          messages: [{ role: "user", content: "Say hello" }],
        });
        expect(message).toMatchObject({ type: "message", role: "assistant", model, stop_reason: "end_turn", content: [{ type: "text", text: "Hello from below" }], usage: { input_tokens: 12, output_tokens: 3 } });
        expect(message.id).toMatch(/^msg_/);
        const sent = fake.requests.at(-1)!;
        expect(sent.model).toBe(upstreamModel[model]);
        expect(JSON.stringify(sent.body)).toContain("Be brief.");
        expect(JSON.stringify(sent.body)).toContain("END");
      });

      it("stream: the SDK reads Anthropic's event sequence into the same message", async () => {
        fake.script(upstreamModel[model], { text: ["Stream", "ed ", "words"], usage: { inputTokens: 9, outputTokens: 3 } });
        const stream = claude().messages.stream({ model, max_tokens: 64, messages: [{ role: "user", content: "Stream please" }] });
        const events: string[] = [];
        const texts: string[] = [];
        stream.on("streamEvent", (event) => events.push(event.type));
        stream.on("text", (text) => texts.push(text));
        const message = await stream.finalMessage();
        expect(texts.join("")).toBe("Streamed words");
        expect(message.content).toEqual([{ type: "text", text: "Streamed words" }]);
        expect(message.stop_reason).toBe("end_turn");
        expect(message.usage).toMatchObject({ input_tokens: 9, output_tokens: 3 });
        expect(events[0]).toBe("message_start");
        expect(events.slice(1, 2)).toEqual(["content_block_start"]);
        expect(events.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
      });

      for (const stream of [false, true]) {
        it(`a tool round trip (${stream ? "streamed" : "whole"}): tool_use out, tool_result back in`, async () => {
          fake.script(upstreamModel[model], { toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }] }, "It is cold in Oslo.");
          const params = { model, max_tokens: 64, tools: [weather], tool_choice: { type: "auto" as const }, messages: [{ role: "user" as const, content: "Weather in Oslo?" }] };
          const first = stream ? await claude().messages.stream(params).finalMessage() : await claude().messages.create(params);
          expect(first.stop_reason).toBe("tool_use");
          const use = first.content.find((block): block is Anthropic.ToolUseBlock => block.type === "tool_use")!;
          expect(use).toMatchObject({ type: "tool_use", name: "get_weather", input: { city: "Oslo" } });
          const sentTools = JSON.stringify(fake.requests.at(-1)!.body);
          expect(sentTools).toContain("get_weather");

          const second = await claude().messages.create({
            ...params,
            messages: [
              ...params.messages,
              { role: "assistant", content: first.content },
              { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "-5 C" }] },
            ],
          });
          expect(second.content).toEqual([{ type: "text", text: "It is cold in Oslo." }]);
          const sent = JSON.stringify(fake.requests.at(-1)!.body);
          expect(sent).toContain("-5 C");
          // Ollama's wire names the tool a result answers, not the call's id.
          expect(sent).toContain(model === "ollama" ? '"tool_name":"get_weather"' : use.id);
        });
      }
    });
  }

  it("an image block reaches the model", async () => {
    fake.script("gpt-m", "A red dot.");
    const data = Buffer.from("fake-png").toString("base64");
    const message = await claude().messages.create({
      model: "openai",
      max_tokens: 32,
      messages: [{ role: "user", content: [{ type: "image", source: { type: "base64", media_type: "image/png", data } }, { type: "text", text: "What is it?" }] }],
    });
    expect(message.content).toEqual([{ type: "text", text: "A red dot." }]);
    expect(JSON.stringify(fake.requests.at(-1)!.body)).toContain(`data:image/png;base64,${data}`);
  });

  it("the root route takes namespace/project/model, and Authorization: Bearer as well as x-api-key", async () => {
    fake.script("gpt-m", "From the root.");
    const response = await fetch(`${server.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${SECRET}`, "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "tests/claude/openai", max_tokens: 16, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ type: "message", model: "tests/claude/openai", content: [{ type: "text", text: "From the root." }] });
  });
});

describe("fallback across wires, in the client's own wire", () => {
  it("a Messages stream whose Anthropic model fails is answered by an OpenAI model and stays well formed", async () => {
    fake.always("claude-down", { fault: "status", status: 529, message: "overloaded" });
    fake.script("gpt-up", { text: ["from ", "OpenAI"], usage: { inputTokens: 5, outputTokens: 2 } });
    const stream = claude().messages.stream({ model: "claude-first", max_tokens: 32, messages: [{ role: "user", content: "hi" }] });
    const response = await stream.withResponse();
    expect(response.response.headers.get("x-lf-model")).toBe("gpt-after");
    const message = await stream.finalMessage();
    expect(message.content).toEqual([{ type: "text", text: "from OpenAI" }]);
    expect(message.model).toBe("gpt-after");
    expect(message.stop_reason).toBe("end_turn");
  });

  it("an OpenAI chat client whose OpenAI model fails is answered by an Anthropic model, tool calls mapped", async () => {
    fake.always("gpt-down", { fault: "status", status: 503, message: "unavailable" });
    fake.script("claude-up", { toolCalls: [{ name: "get_weather", arguments: { city: "Rome" } }] });
    const completion = await server.client("tests/claude", { apiKey: SECRET }).chat.completions.create({
      model: "gpt-first",
      messages: [{ role: "user", content: "Weather in Rome?" }],
      tools: [{ type: "function", function: { name: "get_weather", parameters: weather.input_schema as Record<string, unknown> } }],
    });
    expect(completion.model).toBe("claude-after");
    expect(completion.choices[0]!.finish_reason).toBe("tool_calls");
    expect(completion.choices[0]!.message.tool_calls?.[0]).toMatchObject({ type: "function", function: { name: "get_weather", arguments: JSON.stringify({ city: "Rome" }) } });
  });
});

describe("errors in Anthropic's shape, raised as the SDK's typed errors", () => {
  it("a wrong key is an AuthenticationError", async () => {
    const error = await claude("wrong-key-0000").messages.create({ model: "openai", max_tokens: 8, messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect((error as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({ type: "error", error: { type: "authentication_error" } });
  });

  it("an unknown model is a NotFoundError", async () => {
    const error = await claude().messages.create({ model: "nope", max_tokens: 8, messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect((error as InstanceType<typeof Anthropic.NotFoundError>).error).toMatchObject({ type: "error", error: { type: "not_found_error" } });
  });

  it("a malformed block is a BadRequestError naming the field", async () => {
    const error = await claude()
      .messages.create({ model: "openai", max_tokens: 8, messages: [{ role: "user", content: [{ type: "video" } as never] }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ type: "error", error: { type: "invalid_request_error", message: expect.stringContaining("messages.0.content.0.type") } });
  });

  it("every model failing is a server error with Anthropic's body", async () => {
    fake.always("claude-down", { fault: "status", status: 529, message: "overloaded" });
    fake.always("gpt-up", { fault: "status", status: 500, message: "broken" });
    try {
      const error = await claude().messages.create({ model: "claude-first", max_tokens: 8, messages: [{ role: "user", content: "hi" }] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Anthropic.InternalServerError);
      expect((error as InstanceType<typeof Anthropic.InternalServerError>).status).toBe(502);
      expect((error as InstanceType<typeof Anthropic.InternalServerError>).error).toMatchObject({ type: "error", error: { type: "api_error", message: expect.stringContaining("No model could answer") } });
    } finally {
      fake.clear("gpt-up");
    }
  });
});
