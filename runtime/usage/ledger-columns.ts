import type { UsageRecord } from "./usage-record.js";

/**
 * The columns a usage record is stored as, in SQLite and PostgreSQL alike (besides each row's id):
 * their order is the order of `pushRecord`'s values.
 */
export const RECORD_COLUMNS = "ts, project, requested_model, served_model, provider, input_tokens, output_tokens, estimated, cost, latency_ms, ttft_ms, outcome, error_code, fallback_depth, session_id, request_id, cache_hit, saved_cost, key_name";

/**
 * A record's values in `RECORD_COLUMNS` order, appended to `values` (no array of its own: SQLite's
 * batches push many rows into one). `estimated` as the database stores a boolean: SQLite binds 1 or 0,
 * PostgreSQL takes `true` or `false`.
 */
export function pushRecord(values: unknown[], record: UsageRecord, booleans: "integer" | "boolean"): void {
  values.push(
    Math.round(record.at),
    record.project,
    record.requestedModel,
    record.servedModel ?? null,
    record.provider ?? null,
    record.inputTokens,
    record.outputTokens,
    booleans === "integer" ? (record.estimated ? 1 : 0) : record.estimated,
    record.costUsd ?? null,
    record.latencyMs,
    record.ttftMs ?? null,
    record.outcome,
    record.errorCode ?? null,
    record.fallbackDepth,
    record.sessionId ?? null,
    record.requestId ?? null,
    booleans === "integer" ? (record.cacheHit === true ? 1 : 0) : record.cacheHit === true,
    record.savedCostUsd ?? null,
    record.keyName ?? null,
  );
}
