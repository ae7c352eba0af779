import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { repoRoot } from "../helpers/run-cli.js";

const bin = fileURLToPath(new URL("../../cli/bin.js", import.meta.url));
const CTRL_C = "\x03";
const CTRL_D = "\x04";

let fake: FakeProvider;
let projectFile: string;

beforeAll(async () => {
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
`,
  );
});
beforeEach(() => fake.reset());
afterAll(() => fake.close());

/**
 * `lf chat` on a terminal: `script` (util-linux) gives it a pseudo-terminal, so stdin is a TTY, readline
 * runs in raw mode and Ctrl-C and Ctrl-D arrive as the keys a person presses.
 */
class Terminal {
  readonly child: ChildProcessWithoutNullStreams;
  output = "";
  readonly exited: Promise<number | null>;

  constructor(args: string[]) {
    const command = [process.execPath, bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
    this.child = spawn("script", ["-qfec", command, "/dev/null"], { cwd: repoRoot, env: { ...process.env, NO_COLOR: "1", TERM: "xterm", LF_DEBUG: "" } });
    this.child.stdout.setEncoding("utf8").on("data", (d: string) => (this.output += d));
    this.child.stderr.setEncoding("utf8").on("data", (d: string) => (this.output += d));
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  /** Waits until the output holds `pattern` `times` times (the prompt comes back after every answer). */
  async waitFor(pattern: string, times = 1, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.output.split(pattern).length - 1 < times) {
      if (this.child.exitCode !== null) throw new Error(`lf chat exited (${this.child.exitCode}) before showing ${JSON.stringify(pattern)}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`no ${JSON.stringify(pattern)} (x${times}) within ${timeoutMs} ms:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  type(keys: string): void {
    this.child.stdin.write(keys);
  }

  /** The exit code, or a failure when it does not exit in time. */
  async exit(timeoutMs = 10_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`lf chat did not exit within ${timeoutMs} ms:\n${this.output}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

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
