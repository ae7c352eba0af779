import { spawn, type ChildProcess } from "node:child_process";
import { ReadBuffer, serializeMessage } from "@modelcontextprotocol/sdk/shared/stdio.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

export interface StdioProcessParams {
  command: string;
  args?: string[];
  /** The complete environment of the child: nothing is inherited implicitly. */
  env: Record<string, string>;
  cwd?: string;
  /** How long `close()` waits after closing stdin before it signals the process group. */
  graceMs?: number;
}

const STDERR_TAIL_BYTES = 4096;
const usesProcessGroups = process.platform !== "win32";

/**
 * An MCP stdio client transport that owns its child completely. Unlike the SDK's transport it
 * passes exactly the environment it is given (so secrets of other servers never leak in), and it
 * runs the child in its own process group so that shutting down, or the server dying, also ends
 * any grandchildren (`npx`, shell wrappers) instead of leaving them orphaned.
 */
export class StdioProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private child: ChildProcess | undefined;
  private readonly buffer = new ReadBuffer();
  private stderr = "";
  private exited: Promise<void> | undefined;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(private readonly params: StdioProcessParams) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The last few KB the server wrote to stderr, for error messages. */
  get stderrTail(): string {
    return this.stderr;
  }

  /** How the process ended, once it has. */
  get exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    return this.exitInfo;
  }

  start(): Promise<void> {
    if (this.child) throw new Error("StdioProcessTransport already started");
    return new Promise<void>((resolve, reject) => {
      const child = spawn(this.params.command, this.params.args ?? [], {
        env: this.params.env,
        cwd: this.params.cwd,
        stdio: ["pipe", "pipe", "pipe"],
        shell: false,
        detached: usesProcessGroups,
        windowsHide: true,
      });
      this.child = child;
      this.exited = new Promise<void>((done) => child.once("close", () => done()));
      child.once("error", (error) => {
        reject(error);
        this.onerror?.(error);
      });
      child.once("spawn", () => resolve());
      child.once("exit", (code, signal) => {
        this.exitInfo = { code, signal };
        // The leader is gone; whatever it left in its group would otherwise keep running unsupervised.
        killGroup(child, "SIGKILL");
      });
      child.once("close", () => this.onclose?.());
      child.stdin?.on("error", (error) => this.onerror?.(error));
      child.stdout?.on("error", (error) => this.onerror?.(error));
      child.stdout?.on("data", (chunk: Buffer) => this.receive(chunk));
      child.stderr?.on("data", (chunk: Buffer) => {
        this.stderr = (this.stderr + chunk.toString("utf8")).slice(-STDERR_TAIL_BYTES);
      });
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const stdin = this.child?.stdin;
      if (!stdin || !stdin.writable || this.exitInfo) return reject(new Error("Not connected"));
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once("drain", resolve);
    });
  }

  /** Closes stdin (the polite MCP shutdown), then SIGTERM and finally SIGKILL to the whole group. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child || !this.exited) return;
    const graceMs = this.params.graceMs ?? 2000;
    if (!this.exitInfo) {
      child.stdin?.end();
      if (!(await settlesWithin(this.exited, graceMs))) {
        killGroup(child, "SIGTERM");
        if (!(await settlesWithin(this.exited, graceMs))) {
          killGroup(child, "SIGKILL");
          await settlesWithin(this.exited, graceMs);
        }
      }
    }
    killGroup(child, "SIGKILL");
    this.buffer.clear();
  }

  private receive(chunk: Buffer): void {
    try {
      this.buffer.append(chunk);
    } catch (error) {
      this.onerror?.(asError(error));
      void this.close();
      return;
    }
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.buffer.readMessage();
      } catch (error) {
        // A stray non-JSON line (a server that logs to stdout) is reported but not fatal.
        this.onerror?.(asError(error));
        continue;
      }
      if (message === null) break;
      this.onmessage?.(message);
    }
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (usesProcessGroups) process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
