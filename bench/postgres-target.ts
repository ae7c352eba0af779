import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PostgresServer } from "../test/helpers/postgres-server.js";
import { benchProjectYaml, type BenchProject, type BenchUpstreams } from "./bench-project.js";
import type { ChildProcesses } from "./child-processes.js";
import { freePort } from "./free-port.js";
import { startLfServe, type LfServer } from "./lf-serve.js";

const DATABASE = "bench";

export interface PostgresLf {
  lf: LfServer;
  /** Rows in PostgreSQL and rows still waiting in the instance's local file, read at the end of the run. */
  ledger(): Promise<{ shipped: number; waiting: number | undefined }>;
  close(): Promise<void>;
}

/**
 * A second `lf serve` on the same project, in a folder of its own, whose ledger is PostgreSQL
 * (`usage.database_url`) on a PostgreSQL the benchmark starts on a free loopback port: each row is
 * journalled and committed locally as with SQLite, then shipped in batches. Read against the first
 * lf, it is the per-request cost of the shared ledger.
 */
export async function startPostgresLf(children: ChildProcesses, cliBin: string, upstreams: Omit<BenchUpstreams, "serverPort">, env: Record<string, string>): Promise<PostgresLf> {
  const postgres = await PostgresServer.start();
  children.atExit(() => postgres.closeNow());
  const url = await postgres.createDatabase(DATABASE);
  const dir = await mkdtemp(join(tmpdir(), "lf-bench-pg-"));
  const port = await freePort();
  const file = join(dir, "llamafarm.yaml");
  await writeFile(file, `${benchProjectYaml({ ...upstreams, serverPort: port })}\nusage:\n  database_url: ${url}\n`);
  const project: BenchProject = { dir, file, namespace: "bench", name: "bench", env };
  const lf = await startLfServe(children, { cliBin, project, port });
  return {
    lf,
    async ledger() {
      const rows = await postgres.query(DATABASE, "SELECT COUNT(*) AS n FROM lf_usage_requests");
      const ready = (await (await fetch(`${lf.url}/health/ready`)).json()) as { projects?: Array<{ usage?: { rows?: number } }> };
      return { shipped: Number(rows[0]?.n ?? 0), waiting: ready.projects?.[0]?.usage?.rows };
    },
    async close() {
      await children.stop(lf.child);
      await postgres.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
