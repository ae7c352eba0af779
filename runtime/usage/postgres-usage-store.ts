import { createRequire } from "node:module";
import type { Pool, PoolConfig } from "pg";
import type { LedgerFilter, UsageGrouping, UsageSummary } from "./ledger.js";
import { emptySummary } from "./ledger.js";
import { insertSql, MIGRATIONS, recordsSql, summarySql, toRecord, toSummary, whereSql } from "./postgres-usage-sql.js";
import type { SpooledRow } from "./usage-ledger.js";
import type { UsageRecord } from "./usage-record.js";

/** A usage database that cannot be reached: reports say so rather than show part of the rows. */
export class UsageDatabaseUnavailable extends Error {
  constructor(
    readonly database: string,
    readonly reason: string,
  ) {
    super(`The usage database (${database}) is unreachable: ${reason}.`);
    this.name = "UsageDatabaseUnavailable";
  }
}

export interface PostgresUsageStoreOptions {
  /** Default 2 s. */
  connectTimeoutMs?: number;
  /** A query that takes longer fails. Default 15 s. */
  queryTimeoutMs?: number;
}

/** Rows per INSERT. */
export const SHIP_BATCH_ROWS = 500;

/**
 * The ledger's rows in PostgreSQL, shared by every instance: batched inserts that skip rows already
 * there, the reports, spend per model and retention. Its table is created (migrated) with the first
 * call. Every failure to reach the database is a `UsageDatabaseUnavailable`.
 */
export class PostgresUsageStore {
  readonly describe: string;
  private readonly pool: Pool;
  private migrated: Promise<void> | undefined;

  constructor(url: string, options: PostgresUsageStoreOptions = {}) {
    this.describe = describeDatabaseUrl(url);
    const config: PoolConfig = {
      connectionString: url,
      max: 4,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 2000,
      query_timeout: options.queryTimeoutMs ?? 15_000,
      idleTimeoutMillis: 10_000,
      // The pool must never keep a finished `lf chat` or `lf usage` running.
      allowExitOnIdle: true,
      application_name: "lf",
    };
    this.pool = new (loadPg().Pool)(config);
    // A connection the server closed while idle; the next query reconnects (and fails if it must).
    this.pool.on("error", () => undefined);
  }

  async insert(rows: readonly SpooledRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += SHIP_BATCH_ROWS) {
      const { text, values } = insertSql(rows.slice(i, i + SHIP_BATCH_ROWS));
      await this.query(text, values);
    }
  }

  async summarize(filter: LedgerFilter, by: UsageGrouping): Promise<UsageSummary[]> {
    const { text, values } = summarySql(filter, by);
    return (await this.query(text, values)).map(toSummary);
  }

  async total(filter: LedgerFilter): Promise<UsageSummary> {
    const { text, values } = summarySql(filter, "all");
    const [row] = await this.query(text, values);
    return row === undefined ? emptySummary("all") : toSummary(row);
  }

  async spendByModel(since: number, project?: string): Promise<Map<string, number>> {
    const values: unknown[] = [];
    const where = whereSql({ since, until: Infinity, ...(project === undefined ? {} : { project }) }, values);
    const rows = await this.query(`SELECT served_model AS model, COALESCE(SUM(cost), 0) AS cost FROM lf_usage_requests WHERE ${where} AND served_model IS NOT NULL GROUP BY served_model`, values);
    return new Map(rows.map((row) => [String(row.model), Number(row.cost)]));
  }

  async records(filter: LedgerFilter): Promise<UsageRecord[]> {
    const { text, values } = recordsSql(filter);
    return (await this.query(text, values)).map(toRecord);
  }

  /** Deletes a project's rows older than `before`; returns how many went. */
  async prune(project: string, before: number): Promise<number> {
    await this.ready();
    try {
      const result = await this.pool.query("DELETE FROM lf_usage_requests WHERE project = $1 AND ts < $2", [project, Math.round(before)]);
      return result.rowCount ?? 0;
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  /** Connects and migrates if need be: resolves once the database answers. */
  ready(): Promise<void> {
    this.migrated ??= this.migrate().catch((error: unknown) => {
      this.migrated = undefined;
      throw this.unavailable(error);
    });
    return this.migrated;
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  private async query(text: string, values: unknown[]): Promise<Array<Record<string, unknown>>> {
    await this.ready();
    try {
      return (await this.pool.query(text, values)).rows as Array<Record<string, unknown>>;
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  /** Every instance runs this on start; the advisory lock lets one at a time create what is missing. */
  private async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock(hashtext('lf_migrations'))");
      await client.query("CREATE TABLE IF NOT EXISTS lf_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
      const done = new Set((await client.query<{ name: string }>("SELECT name FROM lf_migrations")).rows.map((row) => row.name));
      for (const migration of MIGRATIONS) {
        if (done.has(migration.name)) continue;
        await client.query(migration.sql);
        await client.query("INSERT INTO lf_migrations (name) VALUES ($1)", [migration.name]);
      }
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * A connection that failed, timed out or was shut down is the database being unavailable; an error
   * PostgreSQL answered with (it has a SQLSTATE outside class 08, 53 and 57) is a failed query.
   */
  private unavailable(error: unknown): Error {
    if (error instanceof UsageDatabaseUnavailable) return error;
    const message = error instanceof Error ? error.message || (error as NodeJS.ErrnoException).code || error.name : String(error);
    const state = (error as { code?: unknown }).code;
    const answered = typeof state === "string" && /^[0-9A-Z]{5}$/.test(state) && !/^(08|53|57)/.test(state);
    if (answered) return new Error(`The usage database (${this.describe}) refused a query: ${message}`);
    return new UsageDatabaseUnavailable(this.describe, message);
  }
}

/** Where a database URL points, without its password: for messages, logs and status. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    const user = parsed.username === "" ? "" : `${decodeURIComponent(parsed.username)}@`;
    return `PostgreSQL ${user}${parsed.host}${parsed.pathname}`;
  } catch {
    return "PostgreSQL";
  }
}

let pg: typeof import("pg") | undefined;
/** pg is loaded only when a project configures PostgreSQL, so the default path never pays for it. */
function loadPg(): typeof import("pg") {
  pg ??= createRequire(import.meta.url)("pg") as typeof import("pg");
  return pg;
}
