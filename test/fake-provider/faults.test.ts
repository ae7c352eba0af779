import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "./index.js";

let fake: FakeProvider;
let client: OpenAI;

beforeAll(async () => {
  fake = await startFakeProvider();
  client = new OpenAI({ apiKey: "sk-test", baseURL: `${fake.url}/v1`, maxRetries: 0, timeout: 5_000 });
});
beforeEach(() => fake.reset());
afterAll(() => fake.close());

const messages = [{ role: "user" as const, content: "hi" }];

function post(path: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<Response> {
  return fetch(`${fake.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal });
}

/** Reads a streamed body until it ends or fails, keeping what arrived. */
async function drain(response: Response): Promise<{ text: string; error: unknown }> {
  const decoder = new TextDecoder();
  let text = "";
  try {
    for await (const bytes of response.body!) text += decoder.decode(bytes as Uint8Array, { stream: true });
    return { text, error: undefined };
  } catch (error) {
    return { text, error };
  }
}

async function collect(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>): Promise<{ text: string; error: unknown }> {
  let text = "";
  try {
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    return { text, error: undefined };
  } catch (error) {
    return { text, error };
  }
}

describe("faults", () => {
  it("sends any status with any headers and a body of the test's choosing", async () => {
    fake.script("m", { fault: "status", status: 503, headers: { "x-custom": "yes" }, body: "upstream down" });
    const response = await post("/v1/chat/completions", { model: "m", messages });
    expect(response.status).toBe(503);
    expect(response.headers.get("x-custom")).toBe("yes");
    expect(await response.text()).toBe("upstream down");
  });

  it("waits before the headers, and between chunks", async () => {
    fake.script("m", { text: "a", delayMs: 60 }, { text: ["a", "b", "c"], chunkDelayMs: 30 });
    let started = performance.now();
    await client.chat.completions.create({ model: "m", messages });
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);

    started = performance.now();
    const arrivals: number[] = [];
    for await (const chunk of await client.chat.completions.create({ model: "m", messages, stream: true })) {
      if (chunk.choices[0]?.delta.content) arrivals.push(performance.now() - started);
    }
    expect(arrivals).toHaveLength(3);
    expect(arrivals[2]! - arrivals[0]!).toBeGreaterThanOrEqual(50);
  });

  it("resets the connection before the headers", async () => {
    fake.script("m", { fault: "reset" });
    await expect(client.chat.completions.create({ model: "m", messages })).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    await fake.settled();
    expect(fake.requests[0]).toMatchObject({ status: undefined, completed: false, aborted: false, settled: true });
  });

  it("cuts a stream after N output chunks, with no finish chunk and no [DONE]", async () => {
    fake.script("m", { text: ["one ", "two ", "three ", "four"], fault: { fault: "reset", afterChunks: 2 } });
    const { text, error } = await collect(await client.chat.completions.create({ model: "m", messages, stream: true }));
    expect(text).toBe("one two ");
    expect(error).toBeInstanceOf(Error);

    fake.script("m", { fault: "reset", afterChunks: 1 });
    const raw = await drain(await post("/v1/chat/completions", { model: "m", messages, stream: true }));
    expect(raw.error).toBeInstanceOf(Error);
    expect(raw.text).toContain('"content":"Hello"');
    expect(raw.text).not.toContain("finish_reason\":\"stop");
    expect(raw.text).not.toContain("[DONE]");
    await fake.settled();
    expect(fake.requests.map((r) => r.aborted)).toEqual([false, false]);
  });

  it("cuts a non-streaming body halfway once the headers are out", async () => {
    fake.script("m", { fault: "reset", afterChunks: 0 });
    const response = await post("/v1/chat/completions", { model: "m", messages });
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
  });

  it("hangs until the client gives up, and records the abort", async () => {
    fake.script("m", { fault: "hang" });
    const controller = new AbortController();
    const pending = client.chat.completions.create({ model: "m", messages }, { signal: controller.signal });
    await fake.waitForRequests(1);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    await fake.settled();
    expect(fake.requests[0]).toMatchObject({ aborted: true, completed: false, status: undefined });
  });

  it("stalls mid-stream after N chunks until the client aborts", async () => {
    fake.script("m", { text: ["one ", "two ", "three"], fault: { fault: "hang", afterChunks: 1 } });
    const controller = new AbortController();
    const response = await post("/v1/chat/completions", { model: "m", messages, stream: true }, controller.signal);
    const reader = response.body!.getReader();
    let text = "";
    while (!text.includes('"content":"one "')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    await fake.settled();
    expect(fake.requests[0]).toMatchObject({ status: 200, aborted: true, completed: false });
  });

  it("records a client that abandons a slow stream, so upstream cancellation can be asserted", async () => {
    fake.script("m", { text: ["a", "b", "c", "d", "e", "f"], chunkDelayMs: 40 });
    const controller = new AbortController();
    let seen = "";
    const stream = await client.chat.completions.create({ model: "m", messages, stream: true }, { signal: controller.signal });
    await collect(
      (async function* () {
        for await (const chunk of stream) {
          seen += chunk.choices[0]?.delta.content ?? "";
          if (seen === "ab") controller.abort();
          yield chunk;
        }
      })(),
    );
    await fake.settled();
    expect(seen).toBe("ab");
    expect(fake.requests[0]?.aborted).toBe(true);
  });

  it("sends malformed JSON as a whole body and as one stream line", async () => {
    fake.script("m", { fault: "malformed" }, { fault: "malformed" });
    await expect(client.chat.completions.create({ model: "m", messages })).rejects.toThrow();
    const body = await post("/v1/chat/completions", { model: "m", messages });
    expect(body.status).toBe(200);
    const half = await body.text();
    expect(half).toMatch(/^\{"id":"chatcmpl-/);
    expect(() => JSON.parse(half)).toThrow();

    fake.script("m", { text: ["x", "y"], fault: { fault: "malformed", afterChunks: 1 } });
    const { text, error } = await collect(await client.chat.completions.create({ model: "m", messages, stream: true }));
    expect(text).toBe("x");
    expect(error).toBeInstanceOf(Error);

    fake.script("m", { fault: "malformed", afterChunks: 1 });
    const raw = await drain(await post("/api/chat", { model: "m", messages }));
    expect(raw.error).toBeUndefined();
    const lines = raw.text.trim().split("\n");
    expect(JSON.parse(lines[0]!)).toMatchObject({ message: { content: "Hello" } });
    expect(() => JSON.parse(lines[1]!)).toThrow();
    expect(lines).toHaveLength(2);
  });

  it("sends an error event inside a 200 stream after output started", async () => {
    fake.script("m", { text: ["a", "b", "c"], fault: { fault: "stream-error", afterChunks: 2, message: "boom" } });
    const { text, error } = await collect(await client.chat.completions.create({ model: "m", messages, stream: true }));
    expect(text).toBe("ab");
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toContain("boom");

    fake.script("m", { fault: "stream-error", message: "no stream to carry it" });
    const whole = await client.chat.completions.create({ model: "m", messages }).catch((e: unknown) => e);
    expect(whole).toMatchObject({ status: 500 });
  });

  it("closes promptly while a request hangs, without calling it a client abort", async () => {
    const doomed = await startFakeProvider({ defaultReply: { fault: "hang" } });
    const pending = fetch(`${doomed.url}/api/chat`, { method: "POST", body: JSON.stringify({ model: "m", messages }) }).catch((e: unknown) => e);
    await doomed.waitForRequests(1);
    const started = performance.now();
    await doomed.close();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(await pending).toBeInstanceOf(Error);
    expect(doomed.requests[0]).toMatchObject({ aborted: false, settled: true });
  });
});
