import { spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "../../bench/free-port.js";

const BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";
const INSTALL = "install it with `apt-get update && apt-get install -y postgresql`, or point PG_BIN at its bin folder";

/**
 * A real PostgreSQL on a free loopback port, in a temporary folder, that a test can stop (as a crash
 * would: `-m immediate`) and start again with its data. PostgreSQL refuses to run as root, so as root
 * every command runs as the `postgres` user, which owns the folder.
 */
export class PostgresServer {
  private running = false;

  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly asUser: string[],
  ) {}

  /** `postgres://postgres@127.0.0.1:PORT/postgres` (trust authentication: no password). */
  get url(): string {
    return this.urlOf("postgres");
  }

  urlOf(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** A fresh, empty database on this server: its URL. */
  async createDatabase(name: string): Promise<string> {
    const client = new pg.Client({ connectionString: this.url });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } finally {
      await client.end();
    }
    return this.urlOf(name);
  }

  /** Runs one query on `database` and returns its rows. */
  async query(database: string, text: string, values: unknown[] = []): Promise<Array<Record<string, unknown>>> {
    const client = new pg.Client({ connectionString: this.urlOf(database) });
    await client.connect();
    try {
      return (await client.query(text, values)).rows as Array<Record<string, unknown>>;
    } finally {
      await client.end();
    }
  }

  /** Fails with the install command when PostgreSQL is missing: these tests must not skip silently. */
  static async start(): Promise<PostgresServer> {
    for (const tool of ["initdb", "pg_ctl", "postgres"]) {
      if (!existsSync(join(BIN, tool))) throw new Error(`PostgreSQL is required by these tests and ${join(BIN, tool)} was not found; ${INSTALL}`);
    }
    const root = process.getuid?.() === 0;
    const dir = mkdtempSync(join(tmpdir(), "lf-pg-"));
    if (root) {
      const ids = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
      const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
      if (ids.status !== 0) throw new Error(`PostgreSQL must run as the postgres user, which does not exist; ${INSTALL}`);
      chownSync(dir, Number(ids.stdout.trim()), Number(gid.stdout.trim()));
    }
    const server = new PostgresServer(await freePort(), dir, root ? ["runuser", "-u", "postgres", "--"] : []);
    server.run("initdb", ["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync", "-D", server.data]);
    await server.restart();
    live.add(server);
    return server;
  }

  /** Starts it again on the same port, with the data it had. */
  async restart(): Promise<void> {
    if (this.running) throw new Error("PostgreSQL is already running");
    // fsync off: a stopped server loses nothing the operating system holds, which is all a test stops.
    // Commits stay synchronous: a commit PostgreSQL confirmed survives `stop`, as in production.
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
    this.run("pg_ctl", ["-D", this.data, "-l", join(this.dir, "log"), "-o", options, "-w", "-t", "30", "start"]);
    this.running = true;
  }

  /** Stops it at once, without a checkpoint: what clients see of a crash or a lost host. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.run("pg_ctl", ["-D", this.data, "-m", "immediate", "-w", "stop"]);
  }

  async close(): Promise<void> {
    this.closeNow();
  }

  closeNow(): void {
    if (this.running) {
      this.running = false;
      this.run("pg_ctl", ["-D", this.data, "-m", "immediate", "-w", "stop"]);
    }
    live.delete(this);
    rmSync(this.dir, { recursive: true, force: true });
  }

  private get data(): string {
    return join(this.dir, "data");
  }

  private run(tool: string, args: string[]): void {
    const [command, ...rest] = [...this.asUser, join(BIN, tool), ...args];
    const result = spawnSync(command!, rest, { encoding: "utf8", timeout: 60_000 });
    if (result.status !== 0) {
      const log = existsSync(join(this.dir, "log")) ? spawnSync("cat", [join(this.dir, "log")], { encoding: "utf8" }).stdout : "";
      throw new Error(`${tool} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}\n${result.stderr}\n${log}`);
    }
  }
}

/**
 * Servers still running when the process exits, or is told to stop, are stopped, so no postgres
 * outlives its test or benchmark (pg_ctl starts it as a daemon of its own).
 */
const live = new Set<PostgresServer>();
function closeAll(): void {
  for (const server of live) {
    try {
      server.closeNow();
    } catch {
      // Exiting anyway.
    }
  }
}
process.on("exit", closeAll);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    closeAll();
    process.kill(process.pid, signal);
  });
}
