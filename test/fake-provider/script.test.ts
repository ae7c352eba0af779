import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ANY_MODEL, readStamps, startFakeProvider, stampAgesMs, stripStamps, type FakeProvider } from "./index.js";

let fake: FakeProvider;

beforeAll(async () => {
  fake = await startFakeProvider();
});
beforeEach(() => fake.reset());
afterAll(() => fake.close());

async function ask(model: string, extra: Record<string, unknown> = {}): Promise<{ status: number; text: string }> {
  const response = await fetch(`${fake.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }], ...extra }),
  });
  const body = (await response.json()) as { choices?: { message: { content: string } }[] };
  return { status: response.status, text: body.choices?.[0]?.message.content ?? "" };
}

describe("scripting replies", () => {
  it("prefers the model's queue, then its standing reply, then any model's, then the default", async () => {
    fake.script("a", "a1", "a2").always("a", "a-always").script(ANY_MODEL, "any1").always(ANY_MODEL, "any-always");
    expect(fake.pending()).toBe(3);
    expect(fake.pending("a")).toBe(2);
    const texts = [];
    for (const model of ["a", "b", "a", "a", "b"]) texts.push((await ask(model)).text);
    expect(texts).toEqual(["a1", "any1", "a2", "a-always", "any-always"]);
    expect(fake.pending()).toBe(0);

    fake.clear("a");
    expect((await ask("a")).text).toBe("any-always");
    fake.clear();
    expect((await ask("a")).text).toBe("Hello from the fake provider.");
  });

  it("computes a reply from the request when given a function", async () => {
    fake.always(ANY_MODEL, (request) => `echo ${request.model} ${JSON.stringify((request.body as { messages: unknown }).messages)}`);
    expect((await ask("m1")).text).toBe('echo m1 [{"role":"user","content":"hi"}]');
  });

  it("answers a configured default, and records every request in order", async () => {
    const other = await startFakeProvider({ defaultReply: "custom default", maxRecorded: 2, now: () => 1_000 });
    try {
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${other.url}/v1/chat/completions`, { method: "POST", body: JSON.stringify({ model: `m${i}`, messages: [] }) });
        expect(((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content).toBe("custom default");
      }
      await other.settled();
      expect(other.requests.map((r) => [r.model, r.at, r.status, r.completed, r.aborted])).toEqual([
        ["m1", 1_000, 200, true, false],
        ["m2", 1_000, 200, true, false],
      ]);
    } finally {
      await other.close();
    }
  });

  it("waits for requests that have not arrived yet, and times out when they never do", async () => {
    const waiting = fake.waitForRequests(2, 2_000);
    await ask("x");
    await ask("y");
    expect((await waiting).map((r) => r.model)).toEqual(["x", "y"]);
    await expect(fake.waitForRequests(3, 20)).rejects.toThrow(/timed out/);
  });
});

describe("access checks", () => {
  it("requires the configured key and can refuse unknown models", async () => {
    const strict = await startFakeProvider({ apiKey: "secret", models: ["known"], rejectUnknownModels: true });
    try {
      const post = (model: string, headers: Record<string, string>) =>
        fetch(`${strict.url}/v1/chat/completions`, { method: "POST", headers, body: JSON.stringify({ model, messages: [] }) });
      const denied = await post("known", {});
      expect(denied.status).toBe(401);
      expect(await denied.json()).toMatchObject({ error: { code: "invalid_api_key" } });
      expect((await post("known", { authorization: "Bearer secret" })).status).toBe(200);
      expect((await post("known", { "x-api-key": "secret" })).status).toBe(200);
      const unknown = await post("nope", { authorization: "Bearer secret" });
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({ error: { code: "model_not_found" } });
    } finally {
      await strict.close();
    }
  });

  it("answers 404 for a path no provider serves, and 400 for a body that is not JSON", async () => {
    const missing = await fetch(`${fake.url}/v1/nothing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { type: "invalid_request_error" } });
    const broken = await fetch(`${fake.url}/api/chat`, { method: "POST", body: "{not json" });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({ error: expect.any(String) });
    expect(fake.requests.map((r) => r.status)).toEqual([404, 400]);
  });
});

describe("send-time stamps", () => {
  it("embeds the send time in every streamed text chunk", async () => {
    const stamped = await startFakeProvider({ stamp: "hrtime", defaultReply: { text: "one two three", chunkDelayMs: 5 } });
    try {
      const response = await fetch(`${stamped.url}/api/chat`, { method: "POST", body: JSON.stringify({ model: "m", messages: [] }) });
      const lines = (await response.text()).trim().split("\n").map((line) => JSON.parse(line) as { message: { content: string } });
      const text = lines.map((line) => line.message.content).join("");
      expect(stripStamps(text)).toBe("one two three");
      const stamps = readStamps(text);
      expect(stamps).toHaveLength(3);
      expect(stamps[2]!.ms - stamps[0]!.ms).toBeGreaterThanOrEqual(8);
      for (const age of stampAgesMs(text)) expect(age).toBeGreaterThanOrEqual(0);
    } finally {
      await stamped.close();
    }
  });
});
