import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { requireScript, Terminal } from "../helpers/pseudo-terminal.js";
import { runCli } from "../helpers/run-cli.js";

const CTRL_C = "\x03";
const CTRL_D = "\x04";

let fake: FakeProvider;
let projectFile: string;

beforeAll(async () => {
  requireScript();
  fake = await startFakeProvider();
  const dir = mkdtempSync(join(tmpdir(), "lf-tty-"));
  projectFile = join(dir, "llamafarm.yaml");
  writeFileSync(
    projectFile,
    `version: v1
name: tty
namespace: tests
runtime:
  models:
    - name: chatty
      provider: openai
      model: gpt-chatty
      base_url: ${fake.url}/v1
      api_key: sk-test-0123456789
    - name: local
      provider: openai
      model: gpt-local
      base_url: ${fake.url}/v1
      api_key: sk-test-0123456789
      retries: { max_attempts: 1 }
      fallbacks: [chatty]
`,
  );
});
beforeEach(() => fake.reset());
afterAll(() => fake.close());

let terminal: Terminal | undefined;
afterEach(() => {
  terminal?.kill();
  terminal = undefined;
});

describe("lf chat on a terminal", () => {
  it("answers each line in turn, keeps the conversation, and leaves on Ctrl-D with exit 0", async () => {
    fake.script("gpt-chatty", { text: ["Hello ", "there"] }, { text: "Second answer" });
    terminal = new Terminal(["chat", "--project", projectFile]);
    await terminal.waitFor("Ctrl-D leaves");
    await terminal.waitFor("> ");
    terminal.type("hi\r");
    await terminal.waitFor("Hello there");
    await terminal.waitFor("> ", 2);
    terminal.type("and again\r");
    await terminal.waitFor("Second answer");
    await terminal.waitFor("> ", 3);
    const second = fake.requests[1]!.body as { messages: Array<{ role: string; content: string }> };
    expect(second.messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "hi"],
      ["assistant", "Hello there"],
      ["user", "and again"],
    ]);
    terminal.type(CTRL_D);
    expect(await terminal.exit()).toBe(0);
  });

  it("says which model answered when it is not the one asked for", async () => {
    fake.script("gpt-local", { fault: "status", status: 503 });
    fake.script("gpt-chatty", "from the fallback");
    fake.script("gpt-local", "from local itself");
    terminal = new Terminal(["chat", "--project", projectFile, "--model", "local"]);
    await terminal.waitFor("chatting with local");
    await terminal.waitFor("> ");
    terminal.type("hi\r");
    await terminal.waitFor("from the fallback");
    await terminal.waitFor("answered by chatty, not local: local failed (provider_unavailable 503)");
    await terminal.waitFor("> ", 2);
    terminal.type("again\r");
    await terminal.waitFor("from local itself");
    await terminal.waitFor("> ", 3);
    expect(terminal.output.split("answered by").length - 1).toBe(1);
    terminal.type(CTRL_D);
    expect(await terminal.exit()).toBe(0);
  });

  it("keeps that note off a pipe, where stdout and stderr may be read by a program", async () => {
    fake.script("gpt-local", { fault: "status", status: 503 });
    fake.script("gpt-chatty", "from the fallback");
    const piped = await runCli(["chat", "--project", projectFile, "--model", "local", "hi"]);
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stdout).toBe("from the fallback\n");
    expect(piped.stderr).not.toContain("answered by");
  });

  it("stops an answer on Ctrl-C, cancelling the upstream request, and leaves on Ctrl-C at the prompt", async () => {
    fake.script("gpt-chatty", { text: ["one ", "two ", "three ", "four ", "five"], chunkDelayMs: 400 }, { text: "still here" });
    terminal = new Terminal(["chat", "--project", projectFile]);
    await terminal.waitFor("> ");
    terminal.type("count slowly\r");
    await terminal.waitFor("one");
    terminal.type(CTRL_C);
    await terminal.waitFor("(stopped)");
    await terminal.waitFor("> ", 2);
    await fake.settled(5_000);
    expect(fake.requests[0]!.aborted).toBe(true);
    expect(terminal.output).not.toContain("five");

    // The session goes on after a stopped answer.
    terminal.type("are you there?\r");
    await terminal.waitFor("still here");
    await terminal.waitFor("> ", 3);
    terminal.type(CTRL_C);
    expect(await terminal.exit()).toBe(0);
  });
});
