import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { projectYaml, startTestServer, tempDir, writeProject, type TestServer } from "./support.js";

let fake: FakeProvider;
let server: TestServer;
let client: OpenAI;
const messages = [{ role: "user" as const, content: "hi" }];

beforeAll(async () => {
  fake = await startFakeProvider();
  const file = await writeProject(tempDir(), projectYaml(fake.url));
  server = await startTestServer([file]);
  client = server.client("tests/demo");
});
beforeEach(() => fake.reset());
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

describe("chat completions, read by the official OpenAI client", () => {
  it("answers without streaming, with the model, provider, attempts and overhead in headers", async () => {
    fake.script("gpt-fast", { text: "Hello there", usage: { inputTokens: 7, outputTokens: 2 } });
    const { data, response } = await client.chat.completions.create({ model: "", messages }).withResponse();
    expect(data.object).toBe("chat.completion");
    expect(data.model).toBe("fast");
    expect(data.choices[0]?.message).toMatchObject({ role: "assistant", content: "Hello there" });
    expect(data.choices[0]?.finish_reason).toBe("stop");
    expect(data.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 });
    expect(response.headers.get("x-lf-model")).toBe("fast");
    expect(response.headers.get("x-lf-provider")).toBe("openai");
    expect(response.headers.get("x-lf-attempts")).toBe("1");
    expect(response.headers.get("x-request-id")).toMatch(/\S/);
    const overhead = Number(response.headers.get("x-lf-overhead-ms"));
    expect(Number.isFinite(overhead) && overhead >= 0).toBe(true);

    const sent = fake.requests.at(-1)!.body as { messages: Array<{ role: string; content: string }> };
    expect(sent.messages[0]).toEqual({ role: "system", content: "Answer briefly." });
    // The provider is read as a stream even for a whole answer, so its deadlines can tell a hung model from a slow one.
    expect(fake.requests.at(-1)!.stream).toBe(true);
  });

  it("streams chunks as they arrive, never buffered", async () => {
    fake.script("gpt-fast", { text: ["one ", "two ", "three ", "four"], chunkDelayMs: 120 });
    const started = Date.now();
    const { data: stream, response } = await client.chat.completions.create({ model: "fast", messages, stream: true }).withResponse();
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(response.headers.get("x-lf-model")).toBe("fast");
    const arrivals: Array<{ at: number; text: string }> = [];
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const text = chunk.choices[0]?.delta.content;
      if (text) arrivals.push({ at: Date.now() - started, text });
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(arrivals.map((a) => a.text).join("")).toBe("one two three four");
    expect(finish).toBe("stop");
    // Four chunks 120 ms apart: were they held back until the end, they would arrive together.
    expect(arrivals.at(-1)!.at - arrivals[0]!.at).toBeGreaterThanOrEqual(250);
    expect(arrivals[1]!.at - arrivals[0]!.at).toBeGreaterThanOrEqual(60);
  });

  it("ends a stream with a usage chunk when stream_options.include_usage asks for it", async () => {
    fake.script("gpt-fast", { text: ["a", "b"], usage: { inputTokens: 5, outputTokens: 2 } });
    const chunks = [];
    for await (const chunk of await client.chat.completions.create({ model: "fast", messages, stream: true, stream_options: { include_usage: true } })) chunks.push(chunk);
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 });
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
  });

  it("returns the model's calls of client tools, streamed and whole, and takes the tool results back", async () => {
    const tools = [{ type: "function" as const, function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
    fake.script("gpt-steady", { toolCalls: [{ id: "call_1", name: "get_weather", arguments: { city: "Paris" } }] });
    const runner = client.chat.completions.stream({ model: "steady", messages, tools });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.finish_reason).toBe("tool_calls");
    expect(final.choices[0]?.message.tool_calls).toEqual([{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }]);
    expect((fake.requests.at(-1)!.body as { tools: unknown[] }).tools).toHaveLength(1);

    fake.script("gpt-steady", { toolCalls: [{ id: "call_2", name: "get_weather", arguments: { city: "Oslo" } }] });
    const whole = await client.chat.completions.create({ model: "steady", messages, tools, tool_choice: "required" });
    expect(whole.choices[0]?.message.content).toBeNull();
    expect(whole.choices[0]?.message.tool_calls?.[0]).toMatchObject({ id: "call_2", function: { name: "get_weather" } });

    fake.script("gpt-steady", "It is sunny.");
    const answer = await client.chat.completions.create({
      model: "steady",
      tools,
      messages: [
        ...messages,
        { role: "assistant", content: null, tool_calls: [{ id: "call_2", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } }] },
        { role: "tool", tool_call_id: "call_2", content: "sunny" },
      ],
    });
    expect(answer.choices[0]?.message.content).toBe("It is sunny.");
    const sent = fake.requests.at(-1)!.body as { messages: Array<Record<string, unknown>> };
    expect(sent.messages.at(-1)).toMatchObject({ role: "tool", tool_call_id: "call_2", content: "sunny" });
  });

  it("maps request parameters, variables and multi-part content onto the provider call", async () => {
    fake.script("gpt-fast", "ok");
    await client.chat.completions.create({
      model: "fast",
      messages: [{ role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } }] }],
      temperature: 0.3,
      max_completion_tokens: 42,
      top_p: 0.9,
      stop: "END",
      seed: 7,
      variables: { style: "in French" },
    } as never);
    const sent = fake.requests.at(-1)!.body as Record<string, unknown> & { messages: Array<{ role: string; content: unknown }> };
    expect(sent.temperature).toBe(0.3);
    expect(sent.max_tokens ?? sent.max_completion_tokens).toBe(42);
    expect(sent.top_p).toBe(0.9);
    expect(sent.stop).toEqual(["END"]);
    expect(sent.seed).toBe(7);
    expect(sent.messages[0]).toEqual({ role: "system", content: "Answer in French." });
    expect(JSON.stringify(sent.messages[1]!.content)).toContain("data:image/png;base64,AAAA");
  });

  it("falls back and says which model answered and after how many calls", async () => {
    fake.script("gpt-chain", { fault: "status", status: 500, message: "boom" });
    fake.script("gpt-steady", "from steady");
    const { data, response } = await client.chat.completions.create({ model: "chain", messages }).withResponse();
    expect(data.choices[0]?.message.content).toBe("from steady");
    expect(data.model).toBe("steady");
    expect(response.headers.get("x-lf-model")).toBe("steady");
    expect(response.headers.get("x-lf-attempts")).toBe("2");
  });

  it("serves other providers and routers through the same route", async () => {
    fake.script("llama-local", "from ollama");
    const local = await client.chat.completions.create({ model: "local", messages }).withResponse();
    expect(local.data.choices[0]?.message.content).toBe("from ollama");
    expect(local.response.headers.get("x-lf-provider")).toBe("ollama");

    const routed = await client.chat.completions.create({ model: "picker", messages }).withResponse();
    expect(["fast", "steady"]).toContain(routed.response.headers.get("x-lf-model"));
  });

  it("lists the project's models with description, provider, default and router strategy", async () => {
    const list = [];
    for await (const model of client.models.list()) list.push(model as unknown as Record<string, unknown>);
    expect(list.map((m) => m.id)).toEqual(["fast", "steady", "chain", "local", "picker"]);
    expect(list[0]).toMatchObject({ object: "model", owned_by: "tests/demo", description: "The quick one", provider: "openai", default: true, router: null });
    expect(list[4]).toMatchObject({ id: "picker", provider: null, default: false, router: "simple-shuffle" });
  });

  it("answers on the OpenAI-style routes too, with namespace/project/model or a bare model name", async () => {
    const plain = server.client();
    const ids = [];
    for await (const model of plain.models.list()) ids.push(model.id);
    expect(ids).toContain("fast");

    fake.script("gpt-steady", "qualified");
    const qualified = await plain.chat.completions.create({ model: "tests/demo/steady", messages });
    expect(qualified.choices[0]?.message.content).toBe("qualified");
    expect(qualified.model).toBe("tests/demo/steady");

    fake.script("gpt-fast", "bare");
    expect((await plain.chat.completions.create({ model: "fast", messages })).choices[0]?.message.content).toBe("bare");

    const projects = await fetch(`${server.url}/v1/projects`).then((r) => r.json());
    expect(projects).toMatchObject({ object: "list", data: [{ id: "tests/demo", namespace: "tests", name: "demo", default_model: "fast" }] });
  });

  it("logs one line per answer without the prompt or the answer", async () => {
    fake.script("gpt-fast", "a very private answer");
    await client.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "a very private question" }] });
    const line = server.logs.filter((l) => l.msg === "chat completed").at(-1)!;
    expect(line).toMatchObject({ level: "info", project: "tests/demo", served_by: "fast", status: 200 });
    expect(typeof line.req).toBe("string");
    expect(server.logText()).not.toContain("a very private");
  });
});
