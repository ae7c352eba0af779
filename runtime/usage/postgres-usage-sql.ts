import type { LedgerFilter, UsageGrouping, UsageSummary } from "./ledger.js";
import { pushRecord, RECORD_COLUMNS } from "./ledger-columns.js";
import type { SpooledRow } from "./usage-ledger.js";
import type { UsageRecord } from "./usage-record.js";

/**
 * The ledger's table in PostgreSQL, one migration per entry, applied in order under an advisory lock
 * by whichever instance starts first. `row_id` is the row's id from the instance that wrote it: a row
 * shipped twice (the instance died between PostgreSQL's commit and its own) is inserted once.
 */
export const MIGRATIONS: ReadonlyArray<{ name: string; sql: string }> = [
  {
    name: "usage-1",
    sql: `
      CREATE TABLE IF NOT EXISTS lf_usage_requests (
        row_id TEXT PRIMARY KEY,
        seq BIGSERIAL NOT NULL,
        ts BIGINT NOT NULL,
        project TEXT NOT NULL,
        requested_model TEXT NOT NULL,
        served_model TEXT,
        provider TEXT,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        estimated BOOLEAN NOT NULL,
        cost DOUBLE PRECISION,
        latency_ms DOUBLE PRECISION NOT NULL,
        ttft_ms DOUBLE PRECISION,
        outcome TEXT NOT NULL,
        error_code TEXT,
        fallback_depth INTEGER NOT NULL,
        session_id TEXT,
        request_id TEXT
      );
      CREATE INDEX IF NOT EXISTS lf_usage_requests_project_ts ON lf_usage_requests (project, ts);`,
  },
  {
    name: "usage-2",
    sql: `
      ALTER TABLE lf_usage_requests ADD COLUMN IF NOT EXISTS cache_hit BOOLEAN NOT NULL DEFAULT false;
      ALTER TABLE lf_usage_requests ADD COLUMN IF NOT EXISTS saved_cost DOUBLE PRECISION;
      ALTER TABLE lf_usage_requests ADD COLUMN IF NOT EXISTS key_name TEXT;`,
  },
];

const COLUMNS = `row_id, ${RECORD_COLUMNS}`;

/**
 * One INSERT for a batch whose rows travel as one JSON parameter, each row an array in `COLUMNS`
 * order: one `JSON.stringify` of plain values on this side (about 1 µs a row) instead of 20 parameters
 * a row, and PostgreSQL reads them back into columns. A row already there is left as it is.
 */
const INSERT_ROWS = `
  INSERT INTO lf_usage_requests (${COLUMNS})
  SELECT e->>0, round((e->>1)::float8)::bigint, e->>2, e->>3, e->>4, e->>5, (e->>6)::integer, (e->>7)::integer,
    (e->>8)::boolean, (e->>9)::float8, (e->>10)::float8, (e->>11)::float8, e->>12, e->>13, (e->>14)::integer,
    e->>15, e->>16, (e->>17)::boolean, (e->>18)::float8, e->>19
  FROM json_array_elements($1::json) AS e
  ON CONFLICT (row_id) DO NOTHING`;

export function insertSql(rows: readonly SpooledRow[]): { text: string; values: unknown[] } {
  const values = rows.map(({ rowId, record }) => {
    const row: unknown[] = [rowId];
    pushRecord(row, record, "boolean");
    return row;
  });
  return { text: INSERT_ROWS, values: [JSON.stringify(values)] };
}

const GROUPS: Record<UsageGrouping | "all", string> = {
  model: "COALESCE(served_model, requested_model)",
  day: "to_char(to_timestamp(ts / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
  session: "COALESCE(session_id, '')",
  key: "COALESCE(key_name, '')",
  all: "'all'",
};
/** The same orders as SQLite's, keys compared byte by byte whatever the database's collation. */
const ORDERS: Record<UsageGrouping | "all", (group: string) => string> = {
  model: (group) => `COUNT(*) DESC, ${group} COLLATE "C"`,
  day: (group) => `${group} COLLATE "C"`,
  session: (group) => `MIN(ts), ${group} COLLATE "C"`,
  key: (group) => `COUNT(*) DESC, ${group} COLLATE "C"`,
  all: () => "1",
};

export function whereSql(filter: LedgerFilter, values: unknown[]): string {
  const clauses: string[] = [];
  const param = (value: unknown) => `$${values.push(value)}`;
  if (Number.isFinite(filter.since)) clauses.push(`ts >= ${param(Math.ceil(filter.since))}`);
  if (Number.isFinite(filter.until)) clauses.push(`ts < ${param(Math.ceil(filter.until))}`);
  if (filter.project !== undefined) clauses.push(`project = ${param(filter.project)}`);
  if (filter.models !== undefined) clauses.push(`COALESCE(served_model, requested_model) = ANY(${param([...filter.models])}::text[])`);
  return clauses.length === 0 ? "TRUE" : clauses.join(" AND ");
}

/**
 * SQLite's report in PostgreSQL's terms. `percentile_disc` is the nearest rank, ceil(p * n), as the
 * SQLite query computes it.
 */
export function summarySql(filter: LedgerFilter, by: UsageGrouping | "all"): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const where = whereSql(filter, values);
  const ok = "outcome = 'ok'";
  const text = `
    SELECT ${GROUPS[by]} AS key, COUNT(*) AS calls,
      COUNT(*) FILTER (WHERE outcome <> 'ok') AS failures,
      COUNT(*) FILTER (WHERE ${ok} AND fallback_depth > 0) AS fallbacks,
      percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE ${ok}) AS p50,
      percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE ${ok}) AS p95,
      COALESCE(SUM(input_tokens), 0) AS input_tokens, COALESCE(SUM(output_tokens), 0) AS output_tokens,
      COUNT(*) FILTER (WHERE estimated) AS estimated, COALESCE(SUM(cost), 0) AS cost,
      COUNT(*) FILTER (WHERE cost IS NULL AND ${ok}) AS unpriced
    FROM lf_usage_requests WHERE ${where}
    GROUP BY 1 ORDER BY ${ORDERS[by](GROUPS[by])}`;
  return { text, values };
}

/** PostgreSQL returns counts and sums of integers as strings (they may exceed a double): numbers here. */
export function toSummary(row: Record<string, unknown>): UsageSummary {
  const n = (value: unknown) => Number(value);
  const maybe = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    key: String(row.key),
    calls: n(row.calls),
    failures: n(row.failures),
    fallbacks: n(row.fallbacks),
    p50LatencyMs: maybe(row.p50),
    p95LatencyMs: maybe(row.p95),
    inputTokens: n(row.input_tokens),
    outputTokens: n(row.output_tokens),
    estimatedCalls: n(row.estimated),
    costUsd: n(row.cost),
    unpricedCalls: n(row.unpriced),
  };
}

export function recordsSql(filter: LedgerFilter): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  return { text: `SELECT * FROM lf_usage_requests WHERE ${whereSql(filter, values)} ORDER BY ts, seq`, values };
}

export function toRecord(row: Record<string, unknown>): UsageRecord {
  const maybe = (value: unknown) => (value === null ? undefined : Number(value));
  const text = (value: unknown) => (value === null ? undefined : String(value));
  return {
    at: Number(row.ts),
    project: String(row.project),
    requestedModel: String(row.requested_model),
    servedModel: text(row.served_model),
    provider: text(row.provider),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    estimated: row.estimated === true,
    costUsd: maybe(row.cost),
    latencyMs: Number(row.latency_ms),
    ttftMs: maybe(row.ttft_ms),
    outcome: row.outcome as UsageRecord["outcome"],
    errorCode: text(row.error_code),
    fallbackDepth: Number(row.fallback_depth),
    sessionId: text(row.session_id),
    requestId: text(row.request_id),
    ...(row.cache_hit === true ? { cacheHit: true } : {}),
    ...(row.saved_cost === null || row.saved_cost === undefined ? {} : { savedCostUsd: Number(row.saved_cost) }),
    ...(row.key_name === null || row.key_name === undefined ? {} : { keyName: String(row.key_name) }),
  };
}
