import type { UsageRecord } from "./usage-record.js";

export type UsageGrouping = "model" | "day" | "session" | "key";

/** Which rows a report covers: `[since, until)` in epoch ms, optionally one project and some models. */
export interface LedgerFilter {
  since: number;
  until: number;
  project?: string;
  /** Serving models (or requested ones, for requests nothing answered). */
  models?: readonly string[];
}

/** One line of a report: every figure over the rows of one group. */
export interface UsageSummary {
  key: string;
  calls: number;
  failures: number;
  /** Answered by a model other than the first choice. */
  fallbacks: number;
  /** Over successful requests; null when there were none. */
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  inputTokens: number;
  outputTokens: number;
  /** Calls whose tokens are estimates. */
  estimatedCalls: number;
  costUsd: number;
  /** Successful calls to a model with no known price (counted as $0 in `costUsd`). */
  unpricedCalls: number;
}

/** Rows on their way to a shared database, for `/health/ready` and `lf status`. */
export interface LedgerBacklog {
  /** Where the rows go, without credentials. */
  database: string;
  /** Whether the last attempt to reach it succeeded. */
  reachable: boolean;
  /** Rows written locally and not yet in the shared database. */
  rows: number;
  /** Why the database was not reached, when it was not. */
  detail?: string;
}

type Awaitable<T> = T | Promise<T>;

/**
 * What the server, the CLI and the budgets ask of a usage ledger: SQLite's (`UsageLedger`, whose reads
 * answer at once) or PostgreSQL's (`PostgresUsageLedger`, whose reads are queries over the network).
 * A row is journalled locally before the answer it describes is complete: `append`'s promise settles
 * when the journal write of its event-loop turn (one for all the rows of the turn) has reached the
 * operating system.
 */
export interface Ledger {
  /** Journals a row and queues it for a commit within 100 ms: the server's path. Settles once journalled. */
  append(record: UsageRecord): Promise<void>;
  /** Commits a row at once. */
  insert(record: UsageRecord): void;
  /** Commits the queued rows now. */
  flush(): void;
  /** Every row in the filter, oldest first: for exports and tests. */
  records(filter: LedgerFilter): Awaitable<UsageRecord[]>;
  /** One summary per group, groups in order (models by calls, days and sessions by time). */
  summarize(filter: LedgerFilter, by: UsageGrouping): Awaitable<UsageSummary[]>;
  /** The same figures over every row the filter takes. */
  total(filter: LedgerFilter): Awaitable<UsageSummary>;
  /** Dollars spent since `since`, per serving model, for rebuilding budget counters. */
  spendByModel(since: number, project?: string): Awaitable<Map<string, number>>;
  /** Deletes rows older than `retentionDays` days; returns how many went. */
  prune(retentionDays: number): Awaitable<number>;
  /** Rows waiting for a shared database; undefined for a ledger that has none. */
  backlog(): Awaitable<LedgerBacklog | undefined>;
  close(): Awaitable<void>;
}

export function emptySummary(key: string): UsageSummary {
  return {
    key,
    calls: 0,
    failures: 0,
    fallbacks: 0,
    p50LatencyMs: null,
    p95LatencyMs: null,
    inputTokens: 0,
    outputTokens: 0,
    estimatedCalls: 0,
    costUsd: 0,
    unpricedCalls: 0,
  };
}
