import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { readLedger } from "../helpers/read-ledger.js";
import { eventually, startTestServer, type TestServer } from "../server/support.js";
import { ADMIN_KEY, ALPHA_KEY, BETA_KEY, callsTo, writeCachedProject } from "./support.js";

let fake: FakeProvider;
let server: TestServer;
let alphaDir: string;
let seq = 0;

beforeAll(async () => {
  fake = await startFakeProvider();
  const alpha = await writeCachedProject(fake.url, { name: "alpha" });
  const beta = await writeCachedProject(fake.url, { name: "beta" });
  alphaDir = alpha.dir;
  server = await startTestServer([alpha.file, beta.file], { level: "info" });
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
});

beforeEach(() => {
  fake.reset();
  fake.always("gpt-fast", { text: ["The ", "cached ", "answer."] });
  fake.always("claude-fast", { text: ["From ", "Claude."] });
});

/** A question no other test has asked, so every test starts with an empty cache for it. */
const fresh = () => `question ${++seq} ${Date.now()}`;
const alpha = (headers: Record<string, string> = {}) => server.client("tests/alpha", { apiKey: ALPHA_KEY, headers });

async function post(path: string, body: unknown, key: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}`, ...headers }, body: JSON.stringify(body) });
}

async function scrape(): Promise<string> {
  const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  return response.text();
}

describe("the response cache", () => {
  it("answers a repeated request from the cache without calling the model, marked, counted and recorded at no cost", async () => {
    const messages = [{ role: "user" as const, content: fresh() }];
    const first = await alpha().chat.completions.create({ model: "fast", messages }).withResponse();
    expect(first.response.headers.get("x-lf-cache")).toBe("miss");
    const second = await alpha().chat.completions.create({ model: "fast", messages }).withResponse();
    expect(second.response.headers.get("x-lf-cache")).toBe("hit");
    expect(second.response.headers.get("x-lf-attempts")).toBe("0");
    expect(second.response.headers.get("x-lf-model")).toBe("fast");
    expect(second.data.choices[0]!.message.content).toBe("The cached answer.");
    expect(second.data.choices[0]!.message.content).toBe(first.data.choices[0]!.message.content);
    expect(second.data.usage).toEqual(first.data.usage);
    expect(callsTo(fake.requests, "gpt-fast")).toBe(1);

    expect(await scrape()).toMatch(/lf_cache_requests_total\{project="tests\/alpha",model="fast",result="hit"\} [1-9]/);
    const requestId = second.response.headers.get("x-request-id");
    await eventually(() => {
      const rows = readLedger(alphaDir, `SELECT cost, saved_cost, cache_hit, key_name FROM requests WHERE request_id = '${requestId}'`);
      expect(rows).toEqual([{ cost: 0, saved_cost: expect.any(Number), cache_hit: 1, key_name: "alpha-key" }]);
      expect(rows[0]!.saved_cost as number).toBeGreaterThan(0);
    });
  });

  it("replays a stream as well-formed SSE with the same chunks, ending in [DONE]", async () => {
    const messages = [{ role: "user" as const, content: fresh() }];
    const read = async () => {
      const { data, response } = await alpha().chat.completions.create({ model: "fast", messages, stream: true }).withResponse();
      const deltas: string[] = [];
      for await (const chunk of data) deltas.push(chunk.choices[0]?.delta?.content ?? "");
      return { deltas, cache: response.headers.get("x-lf-cache") };
    };
    const first = await read();
    const second = await read();
    expect(first.cache).toBe("miss");
    expect(second.cache).toBe("hit");
    expect(second.deltas).toEqual(first.deltas);
    expect(second.deltas.join("")).toBe("The cached answer.");
    expect(callsTo(fake.requests, "gpt-fast")).toBe(1);

    const raw = await post("/v1/projects/tests/alpha/chat/completions", { model: "fast", messages, stream: true }, ALPHA_KEY);
    expect(raw.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(raw.headers.get("x-lf-cache")).toBe("hit");
    const events = (await raw.text()).split("\n\n").filter((e) => e !== "");
    for (const event of events) expect(event).toMatch(/^data: /);
    expect(events.at(-1)).toBe("data: [DONE]");
    const text = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)).choices[0]?.delta?.content ?? "").join("");
    expect(text).toBe("The cached answer.");
    expect(callsTo(fake.requests, "gpt-fast")).toBe(1);
  });

  it("answers a whole request from a kept stream, and a stream from a kept whole answer", async () => {
    const messages = [{ role: "user" as const, content: fresh() }];
    await alpha().chat.completions.create({ model: "fast", messages, stream: true }).then(async (s) => {
      for await (const _ of s);
    });
    const whole = await alpha().chat.completions.create({ model: "fast", messages }).withResponse();
    expect(whole.response.headers.get("x-lf-cache")).toBe("hit");
    expect(whole.data.choices[0]!.message.content).toBe("The cached answer.");
    expect(callsTo(fake.requests, "gpt-fast")).toBe(1);
  });

  it("is passed by with cache: false in the body or Cache-Control: no-cache, the fresh answer kept", async () => {
    const messages = [{ role: "user", content: fresh() }];
    const path = "/v1/projects/tests/alpha/chat/completions";
    expect((await post(path, { model: "fast", messages }, ALPHA_KEY)).headers.get("x-lf-cache")).toBe("miss");
    const body = await post(path, { model: "fast", messages, cache: false }, ALPHA_KEY);
    expect(body.status).toBe(200);
    expect(body.headers.get("x-lf-cache")).toBe("bypass");
    const header = await post(path, { model: "fast", messages }, ALPHA_KEY, { "cache-control": "no-cache" });
    expect(header.headers.get("x-lf-cache")).toBe("bypass");
    expect(callsTo(fake.requests, "gpt-fast")).toBe(3);

    fake.reset();
    fake.always("gpt-fast", "A newer answer.");
    await post(path, { model: "fast", messages }, ALPHA_KEY, { "cache-control": "no-cache" });
    const after = await post(path, { model: "fast", messages }, ALPHA_KEY);
    expect(after.headers.get("x-lf-cache")).toBe("hit");
    expect(((await after.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe("A newer answer.");

    const unkept = [{ role: "user", content: fresh() }];
    await post(path, { model: "fast", messages: unkept }, ALPHA_KEY, { "cache-control": "no-store" });
    expect((await post(path, { model: "fast", messages: unkept }, ALPHA_KEY)).headers.get("x-lf-cache")).toBe("miss");
  });

  it("never answers another project's request, nor a key limited to another project, from the first's cache", async () => {
    const messages = [{ role: "user", content: fresh() }];
    expect((await post("/v1/projects/tests/alpha/chat/completions", { model: "fast", messages }, ALPHA_KEY)).headers.get("x-lf-cache")).toBe("miss");
    expect((await post("/v1/projects/tests/alpha/chat/completions", { model: "fast", messages }, ALPHA_KEY)).headers.get("x-lf-cache")).toBe("hit");

    const beta = await post("/v1/projects/tests/beta/chat/completions", { model: "fast", messages }, BETA_KEY);
    expect(beta.status).toBe(200);
    expect(beta.headers.get("x-lf-cache")).toBe("miss");
    const root = await post("/v1/chat/completions", { model: "tests/beta/fast", messages }, BETA_KEY);
    expect(root.headers.get("x-lf-cache")).toBe("hit");
    expect(callsTo(fake.requests, "gpt-fast")).toBe(2);

    const across = await post("/v1/projects/tests/alpha/chat/completions", { model: "fast", messages }, BETA_KEY);
    expect(across.status).toBe(403);
    expect(across.headers.get("x-lf-cache")).toBeNull();
    expect(await across.text()).not.toContain("cached answer");
  });

  it("keeps nothing for a different request, a temperature above 0, a model with the cache off, or a stream that failed", async () => {
    const content = fresh();
    const path = "/v1/projects/tests/alpha/chat/completions";
    await post(path, { model: "fast", messages: [{ role: "user", content }] }, ALPHA_KEY);
    expect((await post(path, { model: "fast", messages: [{ role: "user", content }], top_p: 0.5 }, ALPHA_KEY)).headers.get("x-lf-cache")).toBe("miss");
    const warm = await post(path, { model: "fast", messages: [{ role: "user", content }], temperature: 0.7 }, ALPHA_KEY);
    expect(warm.headers.get("x-lf-cache")).toBeNull();
    expect((await post(path, { model: "fast", messages: [{ role: "user", content }], temperature: 0 }, ALPHA_KEY)).headers.get("x-lf-cache")).toBe("miss");
    for (let i = 0; i < 2; i++) expect((await post(path, { model: "uncached", messages: [{ role: "user", content }] }, ALPHA_KEY)).headers.get("x-lf-cache")).toBeNull();
    expect(callsTo(fake.requests, "gpt-fast")).toBe(6);

    fake.reset();
    fake.script("gpt-fast", { text: ["half ", "an ", "answer"], fault: { fault: "stream-error", afterChunks: 1 } }, "Whole this time.");
    const broken = [{ role: "user", content: fresh() }];
    const failed = await post(path, { model: "fast", messages: broken, stream: true }, ALPHA_KEY);
    expect(await failed.text()).toContain("error");
    const next = await post(path, { model: "fast", messages: broken }, ALPHA_KEY);
    expect(next.headers.get("x-lf-cache")).toBe("miss");
    expect(callsTo(fake.requests, "gpt-fast")).toBe(2);
  });

  it("serves the Anthropic Messages route from the same cache stage", async () => {
    const client = new Anthropic({ baseURL: `${server.url}/v1/projects/tests/alpha`, apiKey: ALPHA_KEY, maxRetries: 0 });
    const messages = [{ role: "user" as const, content: fresh() }];
    const first = await client.messages.create({ model: "claude", max_tokens: 100, messages }).withResponse();
    const second = await client.messages.create({ model: "claude", max_tokens: 100, messages }).withResponse();
    expect(first.response.headers.get("x-lf-cache")).toBe("miss");
    expect(second.response.headers.get("x-lf-cache")).toBe("hit");
    expect(second.data.content).toEqual(first.data.content);
    expect(callsTo(fake.requests, "claude-fast")).toBe(1);
  });
});
