import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { fileURLToPath } from "node:url";
import { repoRoot } from "./run-cli.js";

const bin = fileURLToPath(new URL("../../cli/bin.js", import.meta.url));

/** Fails with the install command when util-linux's `script` is missing: these tests must not skip. */
export function requireScript(): void {
  const probe = spawnSync("script", ["--version"], { encoding: "utf8" });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      `util-linux's \`script\` is required by the terminal tests and was not found (${probe.error?.message ?? probe.stderr.trim()}); ` +
        "install it with `apt-get install -y bsdutils`",
    );
  }
}

/**
 * `lf` on a terminal: `script` (util-linux) gives it a pseudo-terminal, so stdin, stdout and stderr are
 * TTYs, readline runs in raw mode and Ctrl-C and Ctrl-D arrive as the keys a person presses.
 */
export class Terminal {
  readonly child: ChildProcessWithoutNullStreams;
  output = "";
  readonly exited: Promise<number | null>;

  constructor(args: string[], options: { env?: Record<string, string | undefined>; cwd?: string } = {}) {
    const command = [process.execPath, bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
    this.child = spawn("script", ["-qfec", command, "/dev/null"], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, NO_COLOR: "1", TERM: "xterm", LF_DEBUG: "", ...options.env },
    });
    this.child.stdout.setEncoding("utf8").on("data", (d: string) => (this.output += d));
    this.child.stderr.setEncoding("utf8").on("data", (d: string) => (this.output += d));
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  /** Waits until the output holds `pattern` `times` times (the prompt comes back after every answer). */
  async waitFor(pattern: string, times = 1, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.output.split(pattern).length - 1 < times) {
      if (this.child.exitCode !== null) throw new Error(`lf exited (${this.child.exitCode}) before showing ${JSON.stringify(pattern)}:\n${this.output}`);
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
      timer = setTimeout(() => reject(new Error(`lf did not exit within ${timeoutMs} ms:\n${this.output}`)), timeoutMs);
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
