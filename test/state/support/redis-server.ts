import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { connect } from "node:net";
import { freePort } from "../../../bench/free-port.js";

const BINARY = process.env.REDIS_SERVER ?? "redis-server";

/** A real redis-server on a free loopback port, without persistence, that a test can stop and restart. */
export class RedisServer {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Fails with a clear message when redis-server is missing: these tests must not skip silently. */
  static async start(): Promise<RedisServer> {
    const probe = spawnSync(BINARY, ["--version"], { encoding: "utf8" });
    if (probe.error !== undefined || probe.status !== 0) {
      const why = (probe.error?.message ?? probe.stderr).trim().split("\n", 1)[0];
      throw new Error(
        `redis-server is required by the Redis tests and was not found (${BINARY}: ${why}); ` +
          "install it with `apt-get install -y redis-server`, or point REDIS_SERVER at the binary",
      );
    }
    const server = new RedisServer(await freePort());
    await server.restart();
    return server;
  }

  async restart(): Promise<void> {
    if (this.child !== undefined) throw new Error("redis-server is already running");
    const child = spawn(BINARY, ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    let output = "";
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (output += d));
    const deadline = Date.now() + 10_000;
    while (!(await answersPing(this.port))) {
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${this.port}:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Freezes the server (SIGSTOP): connections stay open and nothing answers, as with a hung host. */
  pause(): void {
    this.child?.kill("SIGSTOP");
  }

  resume(): void {
    this.child?.kill("SIGCONT");
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    this.child = undefined;
    if (child.exitCode !== null) return;
    child.kill("SIGCONT");
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }
}


function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}
