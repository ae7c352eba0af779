import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryStateStore } from "../../runtime/state/index.js";
import { openProjectUsage, PostgresUsageLedger, UsageDatabaseUnavailable, UsageLedger, type Ledger, type UsageRecord, type UsageSummary } from "../../runtime/usage/index.js";
import { ManualClock } from "../helpers/manual-clock.js";
import { PostgresServer } from "../helpers/postgres-server.js";
import { projectIn, record, TWO_MODELS } from "./support/project.js";

const Database = createRequire(import.meta.url)("better-sqlite3") as new (file: string) => {
  prepare(sql: string): { run(...values: unknown[]): unknown; all(...values: unknown[]): Array<Record<string, unknown>> };
  close(): void;
};

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 15, 12);
let server: PostgresServer;
let databases = 0;
const opened: Ledger[] = [];

beforeAll(async () => {
  server = await PostgresServer.start();
});
const folders: string[] = [];
afterAll(async () => {
  await Promise.allSettled(opened.map((ledger) => ledger.close()));
  await server?.close();
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function spoolFile(): string {
  const folder = mkdtempSync(join(tmpdir(), "lf-pg-ledger-"));
  folders.push(folder);
  return join(folder, ".lf", "usage.db");
}

async function database(): Promise<{ name: string; url: string }> {
  const name = `ledger${++databases}`;
  return { name, url: await server.createDatabase(name) };
}

function open(url: string, file = spoolFile(), options: { clock?: ManualClock; retentionDays?: number; project?: string; sweepMs?: number } = {}): PostgresUsageLedger {
  const ledger = PostgresUsageLedger.open(url, { project: options.project ?? "team/shop", file, connectTimeoutMs: 1000, ...options });
  opened.push(ledger);
  return ledger;
}

async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const rowsIn = async (name: string) => Number((await server.query(name, "SELECT COUNT(*) AS n FROM lf_usage_requests"))[0]!.n);

/** team/shop (the support project's models) with a daily budget and its ledger in PostgreSQL at `url`. */
function budgetedShop(url: string): string {
  return `${TWO_MODELS.replace("runtime:", `budget: { daily: 5 }\nusage: { database_url: "${url}" }\nruntime:`)}`;
}

/** The rows the summary test of the SQLite ledger uses, and some more. */
function sampleRows(): UsageRecord[] {
  const rows: UsageRecord[] = [];
  for (let i = 1; i <= 20; i++) rows.push(record({ at: T0 + i, latencyMs: i * 10, fallbackDepth: i <= 2 ? 1 : 0, sessionId: "a" }));
  rows.push(record({ at: T0 + DAY, outcome: "error", errorCode: "all_models_failed", servedModel: undefined, costUsd: 0, inputTokens: 0, outputTokens: 0, latencyMs: 5000, sessionId: "b" }));
  rows.push(record({ at: T0 + DAY + 1, servedModel: "fast", provider: "ollama", costUsd: 0, latencyMs: 40, estimated: true, ttftMs: undefined }));
  rows.push(record({ at: T0 + DAY + 2, servedModel: "Zeta", costUsd: undefined, latencyMs: 7, requestId: "req-1" }));
  rows.push(record({ at: T0 - 3 * DAY, project: "team/other", latencyMs: 1 }));
  rows.push(record({ at: T0 + DAY + 3, costUsd: 0, cacheHit: true, savedCostUsd: 0.25, keyName: "ci" }));
  rows.push(record({ at: T0 + DAY + 4, keyName: "ci" }), record({ at: T0 + DAY + 5, keyName: "ops" }));
  return rows;
}

describe("the usage ledger in PostgreSQL", () => {
  it("reports exactly what the SQLite ledger reports for the same rows", async () => {
    const { url } = await database();
    const sqlite = UsageLedger.open(spoolFile());
    opened.push(sqlite);
    const postgres = open(url);
    for (const row of sampleRows()) {
      sqlite.append(row);
      postgres.append(row);
    }
    const filters = [
      { since: T0, until: T0 + 2 * DAY },
      { since: 0, until: Infinity, project: "team/shop" },
      { since: 0, until: Infinity, models: ["fast", "smart", "absent"] },
    ];
    // Sums of dollars may differ in the last bit: the two databases add in their own order.
    const cents = (rows: UsageSummary[]) => rows.map((row) => ({ ...row, costUsd: Math.round(row.costUsd * 1e9) / 1e9 }));
    for (const filter of filters) {
      for (const by of ["model", "day", "session", "key"] as const) expect(cents(await postgres.summarize(filter, by))).toEqual(cents(sqlite.summarize(filter, by)));
      expect(cents([await postgres.total(filter)])).toEqual(cents([sqlite.total(filter)]));
      expect(await postgres.records(filter)).toEqual(sqlite.records(filter));
    }
    const spend = (byModel: Map<string, number>) => [...byModel].map(([model, cost]) => [model, Math.round(cost * 1e9) / 1e9]).sort();
    expect(spend(await postgres.spendByModel(T0, "team/shop"))).toEqual(spend(sqlite.spendByModel(T0, "team/shop")));
    expect(await postgres.total({ since: T0 + 10 * DAY, until: T0 + 11 * DAY })).toEqual(sqlite.total({ since: T0 + 10 * DAY, until: T0 + 11 * DAY }));
    // Shipped rows leave the local file: it holds only what has not reached PostgreSQL.
    expect(postgres.backlog()).toMatchObject({ reachable: true, rows: 0 });
  });

  it("counts the rows of every instance, each once", async () => {
    const { name, url } = await database();
    const a = open(url);
    const b = open(url);
    for (let i = 0; i < 300; i++) (i % 2 === 0 ? a : b).append(record({ at: T0 + i, latencyMs: i }));
    expect((await a.total({ since: 0, until: Infinity })).calls).toBe(150);
    await waitFor(() => b.backlog().rows === 0);
    expect((await a.total({ since: 0, until: Infinity })).calls).toBe(300);
    expect((await b.total({ since: 0, until: Infinity })).calls).toBe(300);
    expect(await rowsIn(name)).toBe(300);
  });

  it("inserts a row shipped twice once: a process killed between PostgreSQL's commit and its own", async () => {
    const { name, url } = await database();
    const file = spoolFile();
    const first = open(url, file);
    for (let i = 0; i < 40; i++) first.append(record({ at: T0 + i }));
    await first.close();
    expect(await rowsIn(name)).toBe(40);
    // What the local file holds when the process died after PostgreSQL committed the rows and before
    // it deleted them here: the same rows, with the same ids, still in the spool.
    const shipped = await server.query(name, "SELECT row_id, ts FROM lf_usage_requests ORDER BY ts");
    const db = new Database(file);
    const insert = db.prepare(
      "INSERT INTO requests (ts, project, requested_model, served_model, provider, input_tokens, output_tokens, estimated, cost, latency_ms, ttft_ms, outcome, error_code, fallback_depth, session_id, request_id, row_id) VALUES (?, 'team/shop', 'smart', 'smart', 'openai', 100, 50, 0, 0.001, 100, 20, 'ok', NULL, 0, NULL, NULL, ?)",
    );
    for (const row of shipped) insert.run(Number(row.ts), row.row_id);
    db.close();

    const next = open(url, file);
    expect(next.backlog().rows).toBe(40);
    await waitFor(() => next.backlog().rows === 0);
    expect(await rowsIn(name)).toBe(40);
    expect((await next.total({ since: 0, until: Infinity })).calls).toBe(40);
  });

  it("keeps rows locally while PostgreSQL is down and ships each once when it is back", async () => {
    const { name, url } = await database();
    const ledger = open(url);
    for (let i = 0; i < 10; i++) ledger.append(record({ at: T0 + i }));
    await waitFor(() => ledger.backlog().rows === 0);
    await server.stop();
    try {
      const started = Date.now();
      for (let i = 10; i < 60; i++) ledger.append(record({ at: T0 + i }));
      // Appending never waits on the database.
      expect(Date.now() - started).toBeLessThan(200);
      await waitFor(() => ledger.backlog().reachable === false);
      expect(ledger.backlog()).toMatchObject({ reachable: false, rows: 50, database: expect.stringContaining("127.0.0.1") });
      await expect(ledger.total({ since: 0, until: Infinity })).rejects.toBeInstanceOf(UsageDatabaseUnavailable);
    } finally {
      await server.restart();
    }
    await waitFor(() => ledger.backlog().rows === 0);
    expect(ledger.backlog()).toMatchObject({ reachable: true, rows: 0 });
    expect(await rowsIn(name)).toBe(60);
    expect((await ledger.total({ since: 0, until: Infinity })).calls).toBe(60);
  });

  it("ships rows another process left in the local file", async () => {
    const { name, url } = await database();
    const file = spoolFile();
    const server = open(url, file, { sweepMs: 100 });
    server.append(record({ at: T0 }));
    await waitFor(() => server.backlog().rows === 0);
    // An lf chat that could not reach PostgreSQL leaves its row in the file the server ships from.
    const other = UsageLedger.open(file);
    other.insert(record({ at: T0 + 1 }));
    other.close();
    await waitFor(async () => (await rowsIn(name)) === 2);
    expect(server.backlog().rows).toBe(0);
  });

  it("prunes the project's own rows past retention, on opening", async () => {
    const { name, url } = await database();
    const clock = new ManualClock(T0);
    const writer = open(url, spoolFile(), { clock });
    writer.append(record({ at: T0 - 40 * DAY }));
    writer.append(record({ at: T0 - 10 * DAY }));
    writer.append(record({ at: T0 - 40 * DAY, project: "team/other" }));
    await writer.close();
    const pruning = open(url, spoolFile(), { clock, retentionDays: 30 });
    await waitFor(async () => (await rowsIn(name)) === 2);
    // team/other keeps its own retention: its row is another project's to prune.
    expect((await pruning.records({ since: 0, until: Infinity })).map((r) => [r.project, r.at])).toEqual([
      ["team/other", T0 - 40 * DAY],
      ["team/shop", T0 - 10 * DAY],
    ]);
  });

  it("rebuilds the budgets of a fresh instance from every instance's spend in PostgreSQL", async () => {
    const { url } = await database();
    const clock = new ManualClock(T0);
    // Another instance spent $6 today; this one, in a folder of its own, has never served.
    const elsewhere = open(url, spoolFile(), { clock });
    for (let i = 0; i < 3; i++) elsewhere.append(record({ at: T0 - 1000 + i, costUsd: 2 }));
    await elsewhere.close();
    const { project } = projectIn(budgetedShop(url));
    const usage = await openProjectUsage(project, { store: new MemoryStateStore({ clock }), clock });
    try {
      const check = await usage.budget.check(["smart"], () => 0.01);
      expect(check).toMatchObject({ ok: false });
      expect((await usage.budget.status()).find((b) => b.scope === "project" && b.period === "daily")).toMatchObject({ spent: 6, limit: 5 });
    } finally {
      await usage.close();
    }
  });

  it("opens a project whose database is down, saying its budgets count from now on", async () => {
    const { project } = projectIn(budgetedShop("postgres://lf:secret-password@127.0.0.1:1/lf"));
    const warned: string[] = [];
    const usage = await openProjectUsage(project, { store: new MemoryStateStore(), logger: { warn: (m) => warned.push(m), info: () => undefined } });
    try {
      expect(warned.join("\n")).toMatch(/usage database \(PostgreSQL lf@127\.0\.0\.1:1\/lf\) is unreachable.*Budgets count only the spend from now on/);
      expect(warned.join("\n")).not.toContain("secret-password");
      expect((await usage.budget.check(["smart"], () => 0.01)).ok).toBe(true);
    } finally {
      await usage.close();
    }
  });

  it("creates its table once when several instances start together", async () => {
    const { url } = await database();
    const ledgers = Array.from({ length: 4 }, () => open(url));
    ledgers.forEach((ledger, i) => ledger.append(record({ at: T0 + i })));
    const totals = await Promise.all(ledgers.map((ledger) => ledger.total({ since: 0, until: Infinity })));
    expect(totals.every((t) => t.calls >= 1)).toBe(true);
    expect((await ledgers[0]!.total({ since: 0, until: Infinity })).calls).toBe(4);
  });

  it("fails a report at once, naming the database, when it cannot be reached", async () => {
    const ledger = open("postgres://lf:secret-password@127.0.0.1:1/none");
    const started = Date.now();
    const failure = await ledger.total({ since: 0, until: Infinity }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(UsageDatabaseUnavailable);
    expect(String((failure as Error).message)).toContain("PostgreSQL lf@127.0.0.1:1/none");
    expect(String((failure as Error).message)).not.toContain("secret-password");
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
