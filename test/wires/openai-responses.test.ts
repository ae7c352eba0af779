import OpenAI from "openai";
import type { FunctionTool, ResponseFunctionToolCall, ResponseInputItem, ResponseStreamEvent } from "openai/resources/responses/responses";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { SECRET, startTestServer, type TestServer } from "../server/support.js";
import { UPSTREAM as upstreamModel, wireModels, writeWireProject } from "./support.js";

let fake: FakeProvider;
let server: TestServer;

const weather: FunctionTool = {
  type: "function",
  name: "get_weather",
  description: "The weather in a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  strict: false,
};

beforeAll(async () => {
  fake = await startFakeProvider();
  const file = await writeWireProject("answers", "openai", [
    ...wireModels(fake.url),
    `{ name: claude-first, provider: anthropic, model: claude-down, base_url: "${fake.url}", api_key: test-key, fallbacks: [gpt-after] }`,
    `{ name: gpt-after, provider: openai, model: gpt-up, base_url: "${fake.url}/v1", api_key: test-key }`,
  ]);
  server = await startTestServer([file]);
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
});

function client(): OpenAI {
  return server.client("tests/answers", { apiKey: SECRET });
}

describe("POST /v1/responses through the openai client", () => {
  for (const model of ["openai", "ollama", "anthropic"] as const) {
    describe(`answered by the ${model} wire`, () => {
      it("whole: instructions and input in, a response object with output_text and usage out", async () => {
        fake.script(upstreamModel[model], { text: "Hello from below", usage: { inputTokens: 12, outputTokens: 3 } });
        const response = await client().responses.create({ model, instructions: "Be brief.", input: "Say hello", max_output_tokens: 64, temperature: 0.2 });
        expect(response).toMatchObject({
          object: "response",
          status: "completed",
          model,
          instructions: "Be brief.",
          max_output_tokens: 64,
          temperature: 0.2,
          output: [{ type: "message", role: "assistant", status: "completed", content: [{ type: "output_text", text: "Hello from below", annotations: [] }] }],
          usage: { input_tokens: 12, output_tokens: 3, total_tokens: 15 },
        });
        expect(response.id).toMatch(/^resp_/);
        expect(response.output_text).toBe("Hello from below");
        const sent = fake.requests.at(-1)!;
        expect(sent.model).toBe(upstreamModel[model]);
        expect(JSON.stringify(sent.body)).toContain("Be brief.");
        expect(JSON.stringify(sent.body)).toContain("Say hello");
        expect(JSON.stringify(sent.body)).toContain("64");
      });

      it("stream: the Responses event sequence, numbered, read by the SDK into the same response", async () => {
        fake.script(upstreamModel[model], { text: ["Stream", "ed ", "words"], usage: { inputTokens: 9, outputTokens: 3 } });
        const stream = client().responses.stream({ model, input: [{ role: "user", content: [{ type: "input_text", text: "Stream please" }] }] });
        const events: ResponseStreamEvent[] = [];
        stream.on("event", (event) => events.push(event));
        const response = await stream.finalResponse();
        expect(response.output_text).toBe("Streamed words");
        expect(response.status).toBe("completed");
        expect(response.usage).toMatchObject({ input_tokens: 9, output_tokens: 3 });
        const types = events.map((e) => e.type);
        expect(types.slice(0, 4)).toEqual(["response.created", "response.in_progress", "response.output_item.added", "response.content_part.added"]);
        expect(types.filter((t) => t === "response.output_text.delta")).toHaveLength(3);
        expect(types.slice(-4)).toEqual(["response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"]);
        expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
      });

      for (const streamed of [false, true]) {
        it(`a function tool round trip (${streamed ? "streamed" : "whole"}): function_call out, function_call_output back in`, async () => {
          fake.script(upstreamModel[model], { toolCalls: [{ name: "get_weather", arguments: { city: "Oslo" } }] }, "It is cold in Oslo.");
          const input: ResponseInputItem[] = [{ role: "user", content: "Weather in Oslo?" }];
          const params = { model, tools: [weather], tool_choice: "auto" as const, input };
          const events: string[] = [];
          let first: OpenAI.Responses.Response;
          if (streamed) {
            const stream = client().responses.stream(params);
            stream.on("event", (event) => events.push(event.type));
            first = await stream.finalResponse();
          } else {
            first = await client().responses.create(params);
          }
          const call = first.output.find((item): item is ResponseFunctionToolCall => item.type === "function_call")!;
          expect(call).toMatchObject({ type: "function_call", name: "get_weather", status: "completed" });
          expect(JSON.parse(call.arguments)).toEqual({ city: "Oslo" });
          expect(call.call_id).toBeTruthy();
          if (streamed) {
            expect(events).toContain("response.function_call_arguments.delta");
            expect(events).toContain("response.function_call_arguments.done");
            expect(events.at(-1)).toBe("response.completed");
          }
          expect(JSON.stringify(fake.requests.at(-1)!.body)).toContain("get_weather");

          const second = await client().responses.create({
            ...params,
            // The previous output goes back as it came, as clients of a stateless Responses API do.
            input: [...input, ...(first.output as ResponseInputItem[]), { type: "function_call_output", call_id: call.call_id, output: "-5 C" }],
          });
          expect(second.output_text).toBe("It is cold in Oslo.");
          const sent = JSON.stringify(fake.requests.at(-1)!.body);
          expect(sent).toContain("-5 C");
          expect(sent).toContain(model === "ollama" ? '"tool_name":"get_weather"' : call.call_id);
        });
      }
    });
  }

  it("on the wire: each SSE event is named as its data's type", async () => {
    fake.script("gpt-m", { text: ["a", "b"] });
    const response = await fetch(`${server.url}/v1/projects/tests/answers/responses`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${SECRET}` },
      body: JSON.stringify({ model: "openai", input: "hi", stream: true }),
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const events = (await response.text()).trim().split("\n\n").map((block) => {
      const [name, data] = block.split("\n");
      return { name: name!.replace(/^event: /, ""), data: JSON.parse(data!.replace(/^data: /, "")) as { type: string } };
    });
    expect(events.every((e) => e.name === e.data.type)).toBe(true);
    expect(events.map((e) => e.name)).toEqual([
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.delta",
      "response.output_text.done",
      "response.content_part.done",
      "response.output_item.done",
      "response.completed",
    ]);
  });

  it("a length cut is an incomplete response naming max_output_tokens", async () => {
    fake.script("gpt-m", { text: "cut", finishReason: "length" });
    const response = await client().responses.create({ model: "openai", input: "Long story", max_output_tokens: 16 });
    expect(response.status).toBe("incomplete");
    expect(response.incomplete_details).toEqual({ reason: "max_output_tokens" });
  });

  it("the root route takes namespace/project/model", async () => {
    fake.script("gpt-m", "From the root.");
    const response = await server.client(undefined, { apiKey: SECRET }).responses.create({ model: "tests/answers/openai", input: "hi" });
    expect(response.model).toBe("tests/answers/openai");
    expect(response.output_text).toBe("From the root.");
  });

  it("a stream whose first model fails is answered by the next one, still a well-formed event stream", async () => {
    fake.always("claude-down", { fault: "status", status: 529, message: "overloaded" });
    try {
      fake.script("gpt-up", { text: ["from ", "OpenAI"] });
      const response = await client().responses.stream({ model: "claude-first", input: "hi" }).finalResponse();
      expect(response.output_text).toBe("from OpenAI");
      expect(response.model).toBe("gpt-after");
    } finally {
      fake.clear("claude-down");
    }
  });
});

describe("errors in OpenAI's shape, raised as the SDK's typed errors", () => {
  it("a failure after output has started ends the stream with response.failed, holding the text so far", async () => {
    fake.script("gpt-m", { text: ["one ", "two ", "three"], fault: { fault: "stream-error", afterChunks: 2, message: "model crashed" } });
    const stream = client().responses.stream({ model: "openai", input: "count" });
    const types: string[] = [];
    stream.on("event", (event) => types.push(event.type));
    const response = await stream.finalResponse();
    expect(response.status).toBe("failed");
    expect(response.error).toMatchObject({ code: "provider_error", message: expect.stringContaining("gpt-m") });
    expect(response.output).toEqual([expect.objectContaining({ type: "message", status: "incomplete", content: [expect.objectContaining({ text: "one two " })] })]);
    expect(types.at(-1)).toBe("response.failed");
    expect(types).not.toContain("response.completed");
  });

  it("an unknown model is a NotFoundError", async () => {
    const error = await client().responses.create({ model: "nope", input: "hi" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it("previous_response_id is a BadRequestError: responses are not stored", async () => {
    const error = await client().responses.create({ model: "openai", input: "hi", previous_response_id: "resp_123" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("previous_response_id");
    expect((error as Error).message).toContain("does not store responses");
  });

  it("a built-in tool is a BadRequestError naming the field", async () => {
    const error = await client().responses.create({ model: "openai", input: "hi", tools: [{ type: "web_search" }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("tools.0.type");
  });

  it("a wrong key is an AuthenticationError", async () => {
    const error = await server.client("tests/answers", { apiKey: "wrong-key-0000" }).responses.create({ model: "openai", input: "hi" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
  });
});
