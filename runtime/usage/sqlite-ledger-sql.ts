import type Database from "better-sqlite3";
import type { LedgerFilter, UsageGrouping } from "./ledger.js";
import { pushRecord, RECORD_COLUMNS } from "./ledger-columns.js";
import type { UsageRecord } from "./usage-record.js";

const SCHEMA_VERSION = 4;

export const GROUP_EXPRESSIONS: Record<UsageGrouping | "all", string> = {
  model: "COALESCE(served_model, requested_model)",
  day: "strftime('%Y-%m-%d', ts / 1000, 'unixepoch')",
  session: "COALESCE(session_id, '')",
  key: "COALESCE(key_name, '')",
  all: "'all'",
};

/**
 * The columns a row is written with. `row_id` names the row wherever it goes: a ledger shipping its
 * rows to PostgreSQL inserts each under it once, however often it is sent.
 */
export const COLUMNS = `${RECORD_COLUMNS}, row_id`;
export const ROW_PARAMETERS = `(${COLUMNS.split(",").map(() => "?").join(", ")})`;

export interface Row {
  id: number;
  row_id: string;
  ts: number;
  project: string;
  requested_model: string;
  served_model: string | null;
  provider: string | null;
  input_tokens: number;
  output_tokens: number;
  estimated: number;
  cost: number | null;
  latency_ms: number;
  ttft_ms: number | null;
  outcome: "ok" | "error";
  error_code: string | null;
  fallback_depth: number;
  session_id: string | null;
  request_id: string | null;
  cache_hit: number;
  saved_cost: number | null;
  key_name: string | null;
}

export interface SummaryRow {
  key: string;
  calls: number;
  failures: number;
  fallbacks: number;
  p50: number | null;
  p95: number | null;
  input_tokens: number;
  output_tokens: number;
  estimated: number;
  cost: number;
  unpriced: number;
}

export function fromRow(row: Row): UsageRecord {
  return {
    at: row.ts,
    project: row.project,
    requestedModel: row.requested_model,
    servedModel: row.served_model ?? undefined,
    provider: row.provider ?? undefined,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    estimated: row.estimated === 1,
    costUsd: row.cost ?? undefined,
    latencyMs: row.latency_ms,
    ttftMs: row.ttft_ms ?? undefined,
    outcome: row.outcome,
    errorCode: row.error_code ?? undefined,
    fallbackDepth: row.fallback_depth,
    sessionId: row.session_id ?? undefined,
    requestId: row.request_id ?? undefined,
    ...(row.cache_hit === 1 ? { cacheHit: true } : {}),
    ...(row.saved_cost === null ? {} : { savedCostUsd: row.saved_cost }),
    ...(row.key_name === null ? {} : { keyName: row.key_name }),
  };
}

/** A record's column values, in `COLUMNS` order, appended to `values`. */
export function pushRow(values: unknown[], record: UsageRecord, rowId: string): void {
  pushRecord(values, record, "integer");
  values.push(rowId);
}

export function whereClause(filter: LedgerFilter): { where: string; params: Record<string, unknown> } {
  const clauses = ["b.ts >= @since", "b.ts < @until"];
  const params: Record<string, unknown> = { since: filter.since, until: filter.until };
  if (filter.project !== undefined) {
    clauses.push("b.project = @project");
    params.project = filter.project;
  }
  if (filter.models !== undefined) {
    const names = filter.models.map((model, i) => {
      params[`m${i}`] = model;
      return `@m${i}`;
    });
    clauses.push(`COALESCE(b.served_model, b.requested_model) IN (${names.join(", ") || "NULL"})`);
  }
  return { where: clauses.join(" AND "), params };
}

/** Nearest-rank percentiles with window functions: rank ceil(p * n) among a group's successful calls. */
export function summarySql(group: string, where: string, order: string): string {
  return `
    WITH base AS (SELECT ${group} AS g, * FROM requests b WHERE ${where}),
    ranked AS (
      SELECT g, latency_ms, ROW_NUMBER() OVER (PARTITION BY g ORDER BY latency_ms) AS rn, COUNT(*) OVER (PARTITION BY g) AS n
      FROM base WHERE outcome = 'ok'),
    pct AS (
      SELECT g, MAX(CASE WHEN rn = (n * 50 + 99) / 100 THEN latency_ms END) AS p50,
                MAX(CASE WHEN rn = (n * 95 + 99) / 100 THEN latency_ms END) AS p95
      FROM ranked GROUP BY g)
    SELECT b.g AS key, COUNT(*) AS calls, SUM(b.outcome <> 'ok') AS failures,
      SUM(b.outcome = 'ok' AND b.fallback_depth > 0) AS fallbacks, p.p50 AS p50, p.p95 AS p95,
      SUM(b.input_tokens) AS input_tokens, SUM(b.output_tokens) AS output_tokens, SUM(b.estimated) AS estimated,
      TOTAL(b.cost) AS cost, SUM(b.cost IS NULL AND b.outcome = 'ok') AS unpriced
    FROM base b LEFT JOIN pct p ON p.g = b.g
    GROUP BY b.g ORDER BY ${order}`;
}

export function migrate(db: Database): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version >= SCHEMA_VERSION) return;
  if (version === 1 || version === 2) {
    // Rows written before ids existed get one now, before anything could ship them.
    db.exec(`
      ${version === 1 ? "ALTER TABLE requests ADD COLUMN request_id TEXT;" : ""}
      CREATE TABLE IF NOT EXISTS journal_marks (name TEXT PRIMARY KEY, offset INTEGER NOT NULL);
      ALTER TABLE requests ADD COLUMN row_id TEXT;
      UPDATE requests SET row_id = lower(hex(randomblob(16))) WHERE row_id IS NULL;
      PRAGMA user_version = 3;`);
  }
  if (version >= 1) {
    // Cache hits (at no cost, with the cost they saved) and the API key's name.
    db.exec(`
      ALTER TABLE requests ADD COLUMN cache_hit INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE requests ADD COLUMN saved_cost REAL;
      ALTER TABLE requests ADD COLUMN key_name TEXT;
      PRAGMA user_version = ${SCHEMA_VERSION};`);
    return;
  }
  db.exec(`
    CREATE TABLE IF NOT EXISTS requests (
      id INTEGER PRIMARY KEY,
      ts INTEGER NOT NULL,
      project TEXT NOT NULL,
      requested_model TEXT NOT NULL,
      served_model TEXT,
      provider TEXT,
      input_tokens INTEGER NOT NULL,
      output_tokens INTEGER NOT NULL,
      estimated INTEGER NOT NULL,
      cost REAL,
      latency_ms REAL NOT NULL,
      ttft_ms REAL,
      outcome TEXT NOT NULL,
      error_code TEXT,
      fallback_depth INTEGER NOT NULL,
      session_id TEXT,
      request_id TEXT,
      row_id TEXT,
      cache_hit INTEGER NOT NULL DEFAULT 0,
      saved_cost REAL,
      key_name TEXT
    );
    CREATE INDEX IF NOT EXISTS requests_ts ON requests (ts);
    CREATE TABLE IF NOT EXISTS journal_marks (name TEXT PRIMARY KEY, offset INTEGER NOT NULL);
    PRAGMA user_version = ${SCHEMA_VERSION};`);
}
