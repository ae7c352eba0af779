import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";

/**
 * Every process the benchmark starts, so none outlives it: a failed run, an exception or Ctrl-C
 * still ends the fake, the floor and `lf serve`.
 */
export class ChildProcesses {
  private readonly live = new Set<StartedChild>();
  private hooked = false;
  private readonly exitHooks: (() => void)[] = [];

  /** Synchronous clean-up (temporary files) that must also run when the process is interrupted. */
  atExit(hook: () => void): void {
    this.hookExit();
    this.exitHooks.push(hook);
  }

  start(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): StartedChild {
    this.hookExit();
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
    let output = "";
    const keep = (bytes: Buffer) => {
      // Enough to explain a failed start; a long run must not grow this without bound.
      if (output.length < 64_000) output += bytes.toString();
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    const exited = new Promise<number | null>((resolve) => {
      child.once("exit", (code, signal) => {
        this.live.delete(started);
        resolve(code ?? (signal ? 128 : null));
      });
      child.once("error", () => {
        this.live.delete(started);
        resolve(null);
      });
    });
    const started: StartedChild = { name, process: child, exited, output: () => output };
    this.live.add(started);
    return started;
  }

  /** SIGTERM, then SIGKILL for whatever has not exited after `graceMs`. */
  async stop(child: StartedChild, graceMs = 3000): Promise<void> {
    if (child.process.exitCode !== null || child.process.signalCode !== null) return;
    child.process.kill("SIGTERM");
    const timer = setTimeout(() => child.process.kill("SIGKILL"), graceMs);
    await child.exited;
    clearTimeout(timer);
  }

  async stopAll(graceMs = 3000): Promise<void> {
    await Promise.all([...this.live].map((child) => this.stop(child, graceMs)));
  }

  killAllNow(): void {
    for (const child of this.live) child.process.kill("SIGKILL");
    this.live.clear();
  }

  private hookExit(): void {
    if (this.hooked) return;
    this.hooked = true;
    process.once("exit", () => {
      this.killAllNow();
      for (const hook of this.exitHooks) {
        try {
          hook();
        } catch {
          // Clean-up is best effort: one failure must not skip the others.
        }
      }
    });
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => {
        process.stderr.write(`\nbench: ${signal}, stopping child processes\n`);
        this.killAllNow();
        process.exit(130);
      });
    }
  }
}

export interface StartedChild {
  name: string;
  process: ChildProcess;
  /** The exit code; 128 when ended by a signal. */
  exited: Promise<number | null>;
  /** What it wrote to stdout and stderr so far (the first 64 kB). */
  output(): string;
}

/** Resolves with the first match of `pattern` on the child's stdout; rejects if it exits or `timeoutMs` passes. */
export function waitForLine(child: StartedChild, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => done(new Error(`${child.name}: no ${pattern} within ${timeoutMs} ms; output:\n${child.output()}`)), timeoutMs);
    const onData = (bytes: Buffer) => {
      seen += bytes.toString();
      const match = pattern.exec(seen);
      if (match) done(undefined, match);
    };
    const onExit = (code: number | null) => done(new Error(`${child.name} exited (${code}) before it was ready; output:\n${child.output()}`));
    function done(error?: Error, match?: RegExpExecArray) {
      clearTimeout(timer);
      child.process.stdout?.off("data", onData);
      child.process.off("exit", onExit);
      if (error) reject(error);
      else resolve(match!);
    }
    child.process.stdout?.on("data", onData);
    child.process.once("exit", onExit);
  });
}
