import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { eventually, getJson, projectYaml, SECRET, startTestServer, tempDir, writeProject, type TestServer } from "./support.js";

/** Reads `GET /v1/events` as a client would: each event's name and parsed data, as they come. */
async function openEvents(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(`${url}/v1/events`, { headers, signal: controller.signal });
  const events: Array<{ event: string; data: any }> = [];
  const reading = (async () => {
    if (!response.ok || response.body === null) return;
    const decoder = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let end: number;
        while ((end = buffer.indexOf("\n\n")) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    status: response.status,
    events,
    close: async () => {
      controller.abort();
      await reading;
    },
  };
}

describe("the console's endpoints", () => {
  let fake: FakeProvider;
  let server: TestServer;
  let file: string;
  beforeAll(async () => {
    fake = await startFakeProvider();
    file = await writeProject(tempDir(), projectYaml(fake.url, { server: "server:\n  console: { record_bodies: true }\n" }));
    server = await startTestServer([file]);
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await server.close();
    await fake.close();
  });

  it("GET /v1/requests lists a request of the openai client with each attempt and why it failed", async () => {
    fake.always("gpt-chain", { fault: "status", status: 500, message: "upstream broke" });
    const answer = await server.client("tests/demo").chat.completions.create({ model: "chain", messages: [{ role: "user", content: `remember ${SECRET}` }] });
    expect(answer.choices[0]!.message.content).toBeTruthy();
    const { status, body } = await getJson(`${server.url}/v1/requests?limit=5`);
    expect(status).toBe(200);
    const entry = body.data[0];
    expect(entry).toMatchObject({ project: "tests/demo", model: "chain", served_by: "steady", provider: "openai", status: 200, outcome: "ok", stream: false, wire: "openai-chat" });
    expect(entry.attempts.map((a: any) => [a.model, a.outcome, a.status])).toEqual([
      ["chain", "failed", 500],
      ["steady", "success", null],
    ]);
    expect(entry.attempts[0].detail).toMatch(/500/);
    expect(entry.latency_ms).toBeGreaterThan(0);
    expect(entry.ttft_ms).not.toBeNull();
    expect(entry.tokens.input).toBeGreaterThan(0);
    // Bodies are kept because the project opts in, and masked like the logs.
    expect(entry.body.messages.at(-1).content).toContain("remember");
    expect(JSON.stringify(body)).not.toContain(SECRET);
  });

  it("lists the tool calls a model asked the client for", async () => {
    fake.script("gpt-fast", { toolCalls: [{ name: "lookup_order", arguments: { id: "A-17" } }] });
    const tools = [{ type: "function" as const, function: { name: "lookup_order", parameters: { type: "object", properties: { id: { type: "string" } } } } }];
    const answer = await server.client("tests/demo").chat.completions.create({ model: "fast", tools, messages: [{ role: "user", content: "where is A-17?" }] });
    expect(answer.choices[0]!.message.tool_calls?.[0]).toBeDefined();
    const { body } = await getJson(`${server.url}/v1/requests?limit=1`);
    expect(body.data[0].tool_calls).toEqual([{ name: "lookup_order", arguments: JSON.stringify({ id: "A-17" }) }]);
  });

  it("filters by model and status, and says 404 for an unknown project", async () => {
    fake.always("gpt-steady", { fault: "status", status: 503 });
    await expect(server.client("tests/demo").chat.completions.create({ model: "steady", messages: [{ role: "user", content: "hi" }] })).rejects.toThrow();
    const failed = await getJson(`${server.url}/v1/requests?status=error&model=steady`);
    expect(failed.body.data.length).toBeGreaterThan(0);
    expect(failed.body.data.every((e: any) => e.outcome !== "ok" && (e.model === "steady" || e.served_by === "steady"))).toBe(true);
    expect(failed.body.data[0].status).toBe(502);
    const ok = await getJson(`${server.url}/v1/requests?status=ok`);
    expect(ok.body.data.every((e: any) => e.outcome === "ok")).toBe(true);
    const missing = await getJson(`${server.url}/v1/requests?project=tests/nothing`);
    expect(missing.status).toBe(404);
  });

  it("GET /v1/events sends a snapshot, then the request, the model turning down, and the in-flight count", async () => {
    const events = await openEvents(server.url);
    try {
      expect(events.status).toBe(200);
      await eventually(() => expect(events.events[0]?.event).toBe("snapshot"));
      const snapshot = events.events[0]!.data;
      expect(snapshot.projects.map((p: any) => p.id)).toEqual(["tests/demo"]);
      const fast = snapshot.models.find((m: any) => m.name === "fast");
      expect(fast).toMatchObject({ provider: "openai", model_id: "gpt-fast", circuit: "closed", router: null });
      expect(snapshot.models.find((m: any) => m.name === "picker").router.members).toEqual(["fast", "steady"]);

      fake.always("gpt-fast", { fault: "status", status: 500, message: "fast is broken" });
      await expect(server.client("tests/demo").chat.completions.create({ model: "fast", messages: [{ role: "user", content: "hi" }] })).rejects.toThrow();
      await eventually(() => {
        const down = events.events.find((e) => e.event === "model" && e.data.name === "fast" && e.data.health === "down");
        expect(down?.data.last_error.status).toBe(500);
      });
      expect(events.events.some((e) => e.event === "request" && e.data.model === "fast" && e.data.status === 502)).toBe(true);
      expect(events.events.filter((e) => e.event === "inflight").map((e) => e.data.in_flight)).toEqual([1, 0]);
    } finally {
      await events.close();
    }
  });

  it("GET …/config answers the file as loaded with its findings at line:col, and the last reload", async () => {
    const first = await getJson(`${server.url}/v1/projects/tests/demo/config`);
    expect(first.status).toBe(200);
    expect(first.body.text).toBe(readFileSync(file, "utf8"));
    expect(first.body.reload.status).toBe("accepted");

    const events = await openEvents(server.url);
    try {
      writeFileSync(file, readFileSync(file, "utf8").replace("default_model: fast", "default_model: nowhere"));
      await eventually(async () => {
        const config = await getJson(`${server.url}/v1/projects/tests/demo/config`);
        expect(config.body.reload.status).toBe("refused");
        expect(config.body.reload.findings[0]).toMatch(/llamafarm\.yaml:\d+:\d+: error/);
        // The served text is still the one that loaded.
        expect(config.body.text).toContain("default_model: fast");
      });
      await eventually(() => expect(events.events.some((e) => e.event === "config" && e.data.reload.status === "refused")).toBe(true));
    } finally {
      writeFileSync(file, first.body.text);
      await events.close();
    }
  });

  it("serves the page at / and /console/… without a key, with a policy that keeps it to its own origin", async () => {
    for (const path of ["/", "/console", "/console/requests"]) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/text\/html/);
      expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
      expect(await response.text()).toContain("<div id=\"app\"");
    }
    const page = await (await fetch(`${server.url}/`)).text();
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(page)![1]!;
    const asset = await fetch(`${server.url}${script}`, { headers: { "accept-encoding": "gzip" } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect(asset.headers.get("content-encoding")).toBe("gzip");
    for (const path of ["/console/assets/nothing.js", "/console/assets/../../package.json", "/console/assets/%2e%2e/%2e%2e/package.json"]) {
      expect((await fetch(`${server.url}${path}`)).status).toBe(404);
    }
  });
});

describe("the console with API keys", () => {
  let fake: FakeProvider;
  let server: TestServer;
  const ADMIN = "lf-admin-key-0001";
  const LIMITED = "lf-other-only-0002";
  beforeAll(async () => {
    fake = await startFakeProvider();
    const dir = tempDir();
    const keys = `server:\n  api_keys:\n    - ${ADMIN}\n    - { key: ${LIMITED}, projects: [tests/other] }\n`;
    const demo = await writeProject(join(dir, "demo"), projectYaml(fake.url, { server: keys }));
    const other = await writeProject(join(dir, "other"), projectYaml(fake.url, { name: "other" }));
    server = await startTestServer([demo, other]);
  });
  afterAll(async () => {
    await server.close();
    await fake.close();
  });

  it("the page loads with no key; every endpoint needs one; a project-limited key sees only its projects", async () => {
    expect((await fetch(`${server.url}/`)).status).toBe(200);
    expect((await getJson(`${server.url}/v1/requests`)).status).toBe(401);
    const wrong = await openEvents(server.url, { authorization: "Bearer nope-nope-nope" });
    expect(wrong.status).toBe(401);
    await wrong.close();

    await server.client("tests/demo", { apiKey: ADMIN }).chat.completions.create({ model: "fast", messages: [{ role: "user", content: "hi" }] });
    await server.client("tests/other", { apiKey: ADMIN }).chat.completions.create({ model: "fast", messages: [{ role: "user", content: "hi" }] });
    const all = await getJson(`${server.url}/v1/requests`, { authorization: `Bearer ${ADMIN}` });
    expect(new Set(all.body.data.map((e: any) => e.project))).toEqual(new Set(["tests/demo", "tests/other"]));
    const limited = await getJson(`${server.url}/v1/requests`, { authorization: `Bearer ${LIMITED}` });
    expect(limited.body.data.map((e: any) => e.project)).toEqual(["tests/other"]);
    expect((await getJson(`${server.url}/v1/projects/tests/demo/config`, { authorization: `Bearer ${LIMITED}` })).status).toBe(403);

    const events = await openEvents(server.url, { authorization: `Bearer ${LIMITED}` });
    try {
      await eventually(() => expect(events.events[0]?.event).toBe("snapshot"));
      expect(events.events[0]!.data.projects.map((p: any) => p.id)).toEqual(["tests/other"]);
      expect(new Set(events.events[0]!.data.models.map((m: any) => m.project))).toEqual(new Set(["tests/other"]));
      await server.client("tests/demo", { apiKey: ADMIN }).chat.completions.create({ model: "fast", messages: [{ role: "user", content: "hi" }] });
      await server.client("tests/other", { apiKey: ADMIN }).chat.completions.create({ model: "steady", messages: [{ role: "user", content: "hi" }] });
      await eventually(() => expect(events.events.some((e) => e.event === "request" && e.data.model === "steady")).toBe(true));
      expect(events.events.filter((e) => e.event !== "snapshot").every((e) => e.data.project === "tests/other")).toBe(true);
    } finally {
      await events.close();
    }
  });

  it("the config never shows a key written into the file", async () => {
    const config = await getJson(`${server.url}/v1/projects/tests/demo/config`, { authorization: `Bearer ${ADMIN}` });
    expect(config.status).toBe(200);
    expect(config.body.text).toContain("api_keys");
    expect(config.body.text).not.toContain(ADMIN);
    expect(config.body.text).not.toContain(LIMITED);
  });
});

describe("server.console: false", () => {
  it("answers 404 at / and /console/…", async () => {
    const fake = await startFakeProvider();
    const file = await writeProject(tempDir(), projectYaml(fake.url, { server: "server:\n  console: false\n" }));
    const server = await startTestServer([file]);
    try {
      for (const path of ["/", "/console", "/console/overview"]) expect((await fetch(`${server.url}${path}`)).status).toBe(404);
      // Bodies are not kept unless a project opts in.
      await server.client("tests/demo").chat.completions.create({ model: "fast", messages: [{ role: "user", content: "hi" }] });
      const { body } = await getJson(`${server.url}/v1/requests`);
      expect(body.data[0].body).toBeUndefined();
    } finally {
      await server.close();
      await fake.close();
    }
  });
});
