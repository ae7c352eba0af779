import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { runCli } from "../helpers/run-cli.js";
import { projectYaml, SECRET, startTestServer, tempDir, TEST_ENV, type TestServer } from "../server/support.js";

let fake: FakeProvider;
let server: TestServer;
let file: string;

beforeAll(async () => {
  fake = await startFakeProvider();
  const dir = tempDir("lf-chat-server-");
  file = join(dir, "llamafarm.yaml");
  writeFileSync(file, projectYaml(fake.url));
  server = await startTestServer([file]);
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
});

describe("lf chat --server", () => {
  it("sends the same request to a running lf serve and streams its answer", async () => {
    fake.script("gpt-fast", { text: "served remotely", chunks: 3 });
    const result = await runCli(["chat", "--server", server.url, "--project", file, "--verbose", "hello there"], { env: { LF_TEST_KEY: SECRET } });
    expect(result.stderr).toMatch(/model: fast \(provider openai\), attempts: 1/);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("served remotely\n");
    const body = fake.requests.at(-1)!.body as { messages: Array<{ role: string; content: string }> };
    expect(body.messages.at(-1)).toEqual({ role: "user", content: "hello there" });
  });

  it("keeps a conversation on the server with --session", async () => {
    fake.script("gpt-fast", "first answer", "second answer");
    await runCli(["chat", "--server", server.url, "--project", file, "--session", "cli-session-1", "my name is Ada"]);
    const second = await runCli(["chat", "--server", server.url, "--project", file, "--session", "cli-session-1", "what is my name?"]);
    expect(second.stdout).toBe("second answer\n");
    const messages = (fake.requests.at(-1)!.body as { messages: Array<{ role: string; content: string }> }).messages;
    expect(messages.map((m) => m.content)).toEqual(expect.arrayContaining(["my name is Ada", "first answer", "what is my name?"]));
  });

  it("names LF_API_KEY when the server needs a key, and when it refuses the one given", async () => {
    const dir = tempDir("lf-chat-server-keys-");
    const keyed = join(dir, "llamafarm.yaml");
    writeFileSync(keyed, projectYaml(fake.url, { name: "keyed", server: "server:\n  api_keys:\n    - ${env:LF_TEST_SERVER_KEY}\n" }));
    Object.assign(TEST_ENV, { LF_TEST_SERVER_KEY: "server-key-0123456789" });
    const guarded = await startTestServer([keyed]);
    try {
      const none = await runCli(["chat", "--server", guarded.url, "--project", keyed, "hi"], { env: { LF_API_KEY: undefined, LF_TEST_KEY: SECRET } });
      expect(none.code).toBe(1);
      expect(none.stderr).toContain(`error: ${guarded.url} needs an API key: set LF_API_KEY to one of its server.api_keys (401`);
      const wrong = await runCli(["chat", "--server", guarded.url, "--project", keyed, "hi"], { env: { LF_API_KEY: "not-the-key-000", LF_TEST_KEY: SECRET } });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toContain(`error: ${guarded.url} refused the key in LF_API_KEY (401 Invalid API key.)`);
      fake.script("gpt-fast", "let in");
      const right = await runCli(["chat", "--server", guarded.url, "--project", keyed, "hi"], { env: { LF_API_KEY: "server-key-0123456789", LF_TEST_KEY: SECRET } });
      expect(right.stdout).toBe("let in\n");
    } finally {
      await guarded.close();
    }
  });

  it("names the URL when no server answers there", async () => {
    const result = await runCli(["chat", "--server", "http://127.0.0.1:9", "--project", file, "hi"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9: .*is lf serve running there\?/);
  });
});
