import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeAll, afterAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { eventually, getJson, projectYaml, startTestServer, tempDir, writeProject, type TestServer } from "./support.js";

let fake: FakeProvider;
let other: FakeProvider;
let server: TestServer | undefined;
const messages = [{ role: "user" as const, content: "hi" }];

beforeAll(async () => {
  fake = await startFakeProvider();
  other = await startFakeProvider();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  fake.reset();
  other.reset();
});
afterAll(async () => {
  await fake?.close();
  await other?.close();
});

describe("a client that goes away", () => {
  it("cancels the upstream request when it disconnects mid-stream", async () => {
    const file = await writeProject(tempDir(), projectYaml(fake.url));
    server = await startTestServer([file]);
    fake.script("gpt-fast", { text: ["a ", "b ", "c ", "d ", "e ", "f"], chunkDelayMs: 150 });
    const stream = await server.client("tests/demo").chat.completions.create({ model: "fast", messages, stream: true });
    let seen = 0;
    // Leaving the loop makes the client abort its request and drop the connection.
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content) seen++;
      if (seen === 2) break;
    }
    await fake.settled(5_000);
    const upstream = fake.requests.at(-1)!;
    expect(upstream.aborted, JSON.stringify({ upstream, logs: server.logs })).toBe(true);
    expect(upstream.completed).toBe(false);
    await eventually(() => expect(server!.logs.some((l) => l.msg === "client closed the stream"), JSON.stringify(server!.logs)).toBe(true));
  });

  it("cancels the upstream request when it disconnects before the first token", async () => {
    const file = await writeProject(tempDir(), projectYaml(fake.url));
    server = await startTestServer([file]);
    fake.script("gpt-fast", { text: "late", delayMs: 5_000 });
    const controller = new AbortController();
    const pending = server.client("tests/demo").chat.completions.create({ model: "fast", messages }, { signal: controller.signal });
    await fake.waitForRequests(1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await fake.settled(5_000);
    expect(fake.requests.at(-1)!.aborted).toBe(true);
  });
});

describe("live config", () => {
  it("picks up an edit (default model, provider URL) without a restart, and refuses a broken one", async () => {
    const dir = tempDir();
    const file = await writeProject(dir, projectYaml(fake.url));
    server = await startTestServer([file]);
    const client = server.client("tests/demo");
    fake.always("gpt-fast", "fast here");
    fake.always("gpt-steady", "steady here");
    other.always("gpt-fast", "fast on the other server");

    expect((await client.chat.completions.create({ model: "", messages })).choices[0]?.message.content).toBe("fast here");

    await writeFile(file, projectYaml(fake.url, { defaultModel: "steady" }));
    await eventually(async () => expect((await client.chat.completions.create({ model: "", messages })).choices[0]?.message.content).toBe("steady here"));

    // An editor that writes a new file and renames it over the old one.
    await writeFile(join(dir, ".llamafarm.yaml.swp"), projectYaml(fake.url, { fastUrl: other.url }));
    await rename(join(dir, ".llamafarm.yaml.swp"), file);
    await eventually(async () => expect((await client.chat.completions.create({ model: "fast", messages })).choices[0]?.message.content).toBe("fast on the other server"));

    const good = await readFile(file, "utf8");
    await writeFile(file, good.replace("default_model: fast", "default_model: nowhere").replace("provider: ollama", "provider: olama"));
    await eventually(async () => {
      const ready = (await getJson(`${server!.url}/health/ready`)).body;
      expect(ready.status, JSON.stringify(ready)).toBe("degraded");
      expect(ready.projects[0].config_error.findings.join("\n"), JSON.stringify(ready)).toMatch(/llamafarm\.yaml:\d+:\d+: error runtime\.models\[3\]\.provider: /);
    });
    // The previous config keeps serving: its default model, on the URL the last good edit gave it.
    expect((await client.chat.completions.create({ model: "", messages })).choices[0]?.message.content).toBe("fast on the other server");
    expect(server.logs.some((l) => l.level === "error" && /llamafarm\.yaml:\d+:\d+: error/.test(String(l.msg)))).toBe(true);

    // Undoing the edit, back to the exact text being served, clears the finding too.
    await writeFile(file, good);
    await eventually(async () => {
      const ready = (await getJson(`${server!.url}/health/ready`)).body;
      expect(ready).toMatchObject({ status: "ready", projects: [{ id: "tests/demo", loaded: true, config_error: null }] });
    });
    await writeFile(file, good.replace("provider: ollama", "provider: olama"));
    await eventually(async () => expect((await getJson(`${server!.url}/health/ready`)).body.status).toBe("degraded"));

    // Fixing the file clears the finding.
    await writeFile(file, projectYaml(fake.url));
    await eventually(async () => {
      const ready = (await getJson(`${server!.url}/health/ready`)).body;
      expect(ready).toMatchObject({ status: "ready", projects: [{ id: "tests/demo", loaded: true, config_error: null }] });
    });
  });

  it("gives a model whose URL was edited a fresh circuit breaker", async () => {
    const file = await writeProject(tempDir(), projectYaml(fake.url));
    server = await startTestServer([file]);
    const client = server.client("tests/demo");
    fake.always("gpt-fast", { fault: "status", status: 500, message: "broken" });
    other.always("gpt-fast", "fixed");
    // The default failure threshold is 5: the sixth request finds the circuit open.
    for (let i = 0; i < 5; i++) expect((await apiStatus(client.chat.completions.create({ model: "fast", messages })))).toBe(502);
    expect(await apiStatus(client.chat.completions.create({ model: "fast", messages }))).toBe(503);
    await writeFile(file, projectYaml(fake.url, { fastUrl: other.url }));
    await eventually(async () => expect((await client.chat.completions.create({ model: "fast", messages })).choices[0]?.message.content).toBe("fixed"));
    fake.clear("gpt-fast");
  });

  it("lets a request in flight finish on the config it started with", async () => {
    const file = await writeProject(tempDir(), projectYaml(fake.url));
    server = await startTestServer([file]);
    const client = server.client("tests/demo");
    fake.script("gpt-fast", { text: ["slow ", "but ", "whole"], chunkDelayMs: 150 });
    other.always("gpt-fast", "new config");
    const chunks: string[] = [];
    const reading = (async () => {
      for await (const chunk of await client.chat.completions.create({ model: "fast", messages, stream: true })) chunks.push(chunk.choices[0]?.delta.content ?? "");
    })();
    await fake.waitForRequests(1);
    await writeFile(file, projectYaml(fake.url, { fastUrl: other.url }));
    await eventually(async () => expect((await client.chat.completions.create({ model: "fast", messages })).choices[0]?.message.content).toBe("new config"));
    await reading;
    expect(chunks.join("")).toBe("slow but whole");
    expect(fake.requests[0]!.completed).toBe(true);
  });

  it("shares the state store across reloads, and the MCP pool while mcp.servers is unchanged", async () => {
    const mcp = (arg: string) => `mcp:\n  servers:\n    - name: tools\n      transport: stdio\n      command: ${process.execPath}\n      args: [${arg}]\n`;
    const file = await writeProject(tempDir(), projectYaml(fake.url, { server: mcp("one") }));
    server = await startTestServer([file]);
    const served = server.gateway.registry.projects[0]!;
    const snapshot = () => {
      const generation = served.acquire();
      served.release(generation);
      return generation;
    };
    const first = snapshot();
    await writeFile(file, projectYaml(fake.url, { defaultModel: "steady", server: mcp("one") }));
    await eventually(() => expect(served.project?.defaultModel).toBe("steady"));
    const second = snapshot();
    expect(second.runtime).not.toBe(first.runtime);
    expect(second.runtime.store).toBe(first.runtime.store);
    expect(second.mcp).toBe(first.mcp);

    await writeFile(file, projectYaml(fake.url, { defaultModel: "steady", server: mcp("two") }));
    await eventually(() => expect(snapshot().mcp).not.toBe(first.mcp));
    expect(snapshot().runtime.store).toBe(first.runtime.store);
  });

  it("applies a key added to server.api_keys without a restart", async () => {
    const file = await writeProject(tempDir(), projectYaml(fake.url));
    server = await startTestServer([file]);
    fake.always("gpt-fast", "ok");
    expect((await getJson(`${server.url}/v1/projects/tests/demo/models`)).status).toBe(200);
    await writeFile(file, projectYaml(fake.url, { server: "server:\n  api_keys: [live-key-0123456789]\n" }));
    await eventually(async () => expect((await getJson(`${server!.url}/v1/projects/tests/demo/models`)).status).toBe(401));
    const keyed = server.client("tests/demo", { apiKey: "live-key-0123456789" });
    expect((await keyed.chat.completions.create({ model: "fast", messages })).choices[0]?.message.content).toBe("ok");
  });

  it("reports each model's last known reachability", async () => {
    const file = await writeProject(tempDir(), projectYaml(fake.url));
    server = await startTestServer([file]);
    const client = server.client("tests/demo");
    fake.script("gpt-fast", "ok");
    fake.script("gpt-steady", { fault: "status", status: 500, message: "down" });
    await client.chat.completions.create({ model: "fast", messages });
    await client.chat.completions.create({ model: "steady", messages }).catch(() => undefined);
    const ready = (await getJson(`${server.url}/health/ready`)).body;
    const models = Object.fromEntries(ready.projects[0].models.map((m: { name: string }) => [m.name, m]));
    expect(models.fast).toMatchObject({ provider: "openai", circuit: "closed", last_ok_at: expect.any(String), last_error: null });
    expect(models.steady).toMatchObject({ last_ok_at: null, last_error: { status: 500, code: "provider_error", message: expect.stringContaining("server error (500)") } });
    // What the upstream wrote, and its URL, stay in the log.
    expect(models.steady.last_error.message).not.toContain("down");
    expect(models.steady.last_error.message).not.toContain(fake.url);
    expect(models.picker).toMatchObject({ router: "simple-shuffle", circuit: null });
    expect(await fetch(`${server.url}/health`).then((r) => r.json())).toEqual({ status: "ok" });
  });
});

async function apiStatus(call: Promise<unknown>): Promise<number | undefined> {
  try {
    await call;
    return 200;
  } catch (error) {
    return (error as { status?: number }).status;
  }
}
