import { readdir, readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { getJson, projectYaml, startTestServer, tempDir, writeProject, type TestServer } from "./support.js";

let fake: FakeProvider;
let server: TestServer | undefined;
let file: string;

beforeAll(async () => {
  fake = await startFakeProvider();
  file = await writeProject(tempDir(), projectYaml(fake.url));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  fake.reset();
});
afterAll(() => fake?.close());

type Sent = { messages: Array<{ role: string; content: unknown }> };

describe("sessions", () => {
  it("keep the conversation on the server, across a restart, until deleted", async () => {
    server = await startTestServer([file]);
    const session = { headers: { "X-Session-ID": "chat-42" } };
    fake.script("gpt-fast", "Nice to meet you, Ada.", "Your name is Ada.", "stateless");

    await server.client("tests/demo", session).chat.completions.create({ model: "fast", messages: [{ role: "user", content: "I am Ada." }] });
    // A stream keeps its answer too.
    for await (const _chunk of await server.client("tests/demo", session).chat.completions.create({ model: "fast", stream: true, messages: [{ role: "user", content: "What is my name?" }] })) {
      // read to the end
    }
    const second = fake.requests[1]!.body as Sent;
    expect(second.messages.map((m) => [m.role, m.content])).toEqual([
      ["system", "Answer briefly."],
      ["user", "I am Ada."],
      ["assistant", "Nice to meet you, Ada."],
      ["user", "What is my name?"],
    ]);

    // X-No-Session: the same id, but neither read nor written.
    await server.client("tests/demo", { headers: { "X-Session-ID": "chat-42", "X-No-Session": "true" } }).chat.completions.create({ model: "fast", messages: [{ role: "user", content: "Just this." }] });
    expect((fake.requests[2]!.body as Sent).messages).toHaveLength(2);

    const files = await readdir(join(dirname(file), ".lf", "sessions"));
    expect(files).toEqual(["chat-42.json"]);

    await server.close();
    server = await startTestServer([file]);
    const stored = await getJson(`${server.url}/v1/projects/tests/demo/sessions/chat-42`);
    expect(stored.status).toBe(200);
    expect(stored.body).toMatchObject({ object: "session", id: "chat-42", project: "tests/demo" });
    expect(stored.body.messages).toEqual([
      { role: "user", content: "I am Ada." },
      { role: "assistant", content: "Nice to meet you, Ada." },
      { role: "user", content: "What is my name?" },
      { role: "assistant", content: "Your name is Ada." },
    ]);

    fake.script("gpt-fast", "Still Ada.");
    await server.client("tests/demo", session).chat.completions.create({ model: "fast", messages: [{ role: "user", content: "And now?" }] });
    expect((fake.requests.at(-1)!.body as Sent).messages).toHaveLength(6);

    const removed = await fetch(`${server.url}/v1/projects/tests/demo/sessions/chat-42`, { method: "DELETE" });
    expect(await removed.json()).toEqual({ id: "chat-42", object: "session.deleted", deleted: true });
    expect((await getJson(`${server.url}/v1/projects/tests/demo/sessions/chat-42`)).status).toBe(404);
  });

  it("keep nothing when the answer failed, and refuse unsafe ids", async () => {
    server = await startTestServer([file]);
    fake.script("gpt-steady", { fault: "status", status: 500, message: "down" });
    await server.client("tests/demo", { headers: { "X-Session-ID": "failed-1" } }).chat.completions.create({ model: "steady", messages: [{ role: "user", content: "hi" }] }).catch(() => undefined);
    expect((await getJson(`${server.url}/v1/projects/tests/demo/sessions/failed-1`)).status).toBe(404);

    const bad = await server.client("tests/demo", { headers: { "X-Session-ID": "../../etc/passwd" } }).chat.completions.create({ model: "fast", messages: [{ role: "user", content: "hi" }] }).catch((e: { status: number; error: unknown }) => e);
    expect(bad).toMatchObject({ status: 400, error: { code: "invalid_session_id" } });
    expect((await getJson(`${server.url}/v1/projects/tests/demo/sessions/a.b`)).status).toBe(400);
  });

  it("are written whole: a temporary file renamed into place", async () => {
    server = await startTestServer([file]);
    fake.script("gpt-fast", "one");
    await server.client("tests/demo", { headers: { "X-Session-ID": "atomic" } }).chat.completions.create({ model: "fast", messages: [{ role: "user", content: "hi" }] });
    const dir = join(dirname(file), ".lf", "sessions");
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(JSON.parse(await readFile(join(dir, "atomic.json"), "utf8")).messages).toHaveLength(2);
  });
});
