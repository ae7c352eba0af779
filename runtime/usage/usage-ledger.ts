import type Database from "better-sqlite3";
import { accessSync, constants, existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import { systemClock, type Clock } from "../core/index.js";
import { abandonedJournals, readJournal, removeJournal, UsageJournal } from "./usage-journal.js";
import type { UsageRecord } from "./usage-record.js";
import { COLUMNS, fromRow, migrate, pushRow, whereClause, type Row, type SummaryRow } from "./ledger-rows.js";

export type UsageGrouping = "model" | "day" | "session";

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

const DAY_MS = 86_400_000;

const GROUP_EXPRESSIONS: Record<UsageGrouping | "all", string> = {
  model: "COALESCE(served_model, requested_model)",
  day: "strftime('%Y-%m-%d', ts / 1000, 'unixepoch')",
  session: "COALESCE(session_id, '')",
  all: "'all'",
};

/** Open ledgers, whose queued rows a normal exit commits. */
const withQueues = new Set<UsageLedger>();
process.on("exit", () => {
  for (const ledger of withQueues) {
    try {
      ledger.close();
    } catch {
      // Exiting anyway: the journal keeps what was not committed.
    }
  }
});

/** Where a project keeps its ledger. */
export function usageLedgerPath(projectDir: string): string {
  return join(projectDir, ".lf", "usage.db");
}

const ROW_PARAMETERS = `(${COLUMNS.split(",").map(() => "?").join(", ")})`;
/** Rows per multi-row INSERT: one statement step for many rows (16 parameters each). */
const BATCH_ROWS = 32;
/** Queued rows wait at most this long for their commit. */
const FLUSH_AFTER_MS = 100;
/** ...or until this many are queued. */
const FLUSH_AT_ROWS = 512;

/**
 * Every request of a project, one row each, in SQLite. WAL mode, so readers (`lf usage`) never block
 * the writer. `insert` commits its row at once. `append`, the server's path, writes the row to the
 * ledger's journal (one write to the operating system for the rows of an event-loop turn, before the answers they describe are complete)
 * and commits the queued rows in one transaction, 32 rows per statement, at most 100 ms later (sooner
 * when 512 are waiting): a commit per request would cost several times the journal's write. A process
 * that is killed loses only the requests still in flight: the next process to open the ledger commits
 * what its journal holds (see `UsageJournal`). Every read, `close` and a normal exit commit the queue
 * first. Budgets do not wait for the commit: they are counted in the state store as each request ends.
 */
export class UsageLedger {
  private readonly insertRow: Database.Statement;
  private readonly insertBatch: Database.Statement;
  private readonly insertMany: (records: UsageRecord[]) => void;
  private queued: UsageRecord[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private journal: UsageJournal | undefined;
  private readonly setMark: Database.Statement;
  private readonly forgetMark: (name: string) => void;

  private constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly journalDir: string,
  ) {
    this.setMark = db.prepare("INSERT INTO journal_marks (name, offset) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET offset = excluded.offset");
    const deleteMark = db.prepare("DELETE FROM journal_marks WHERE name = ?");
    this.forgetMark = (name) => void deleteMark.run(name);
    this.insertRow = db.prepare(`INSERT INTO requests (${COLUMNS}) VALUES ${ROW_PARAMETERS}`);
    this.insertBatch = db.prepare(`INSERT INTO requests (${COLUMNS}) VALUES ${Array.from({ length: BATCH_ROWS }, () => ROW_PARAMETERS).join(", ")}`);
    this.insertMany = db.transaction((records: UsageRecord[]) => {
      let i = 0;
      if (records.length >= BATCH_ROWS) {
        const values: unknown[] = [];
        for (; i + BATCH_ROWS <= records.length; i += BATCH_ROWS) {
          values.length = 0;
          for (let j = i; j < i + BATCH_ROWS; j++) pushRow(values, records[j]!);
          this.insertBatch.run(values);
        }
      }
      for (; i < records.length; i++) this.insert(records[i]!);
      if (this.journal !== undefined) {
        const mark = this.journal.mark();
        this.setMark.run(mark.name, mark.offset);
      }
    });
    withQueues.add(this);
  }

  /**
   * Checks, without opening it, that a ledger can be written at `file`: its folder exists (it is created if
   * need be) and is writable, and so is the file when it exists. Throws the file system's error otherwise.
   */
  static checkWritable(file: string): void {
    const dir = dirname(file);
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    if (existsSync(file)) accessSync(file, constants.W_OK);
  }

  /** Opens (creating it and its folder if need be) and drops rows older than `retentionDays`. */
  static open(file: string, options: { retentionDays?: number; clock?: Clock } = {}): UsageLedger {
    mkdirSync(dirname(file), { recursive: true });
    const db = new (sqlite())(file, { timeout: 5000 });
    db.pragma("journal_mode = WAL");
    // In WAL mode NORMAL survives a killed process; only a power loss can cost the last commits.
    db.pragma("synchronous = NORMAL");
    migrate(db);
    const ledger = new UsageLedger(db, options.clock ?? systemClock, journalDirOf(file));
    ledger.recover();
    if (options.retentionDays !== undefined) ledger.prune(options.retentionDays);
    return ledger;
  }

  insert(record: UsageRecord): void {
    const values: unknown[] = [];
    pushRow(values, record);
    this.insertRow.run(values);
  }

  /** Journals a row and queues it, committed with the others queued within 100 ms (see the class comment). */
  append(record: UsageRecord): Promise<void> {
    const written = (this.journal ??= UsageJournal.open(this.journalDir)).write(record);
    this.queued.push(record);
    if (this.queued.length >= FLUSH_AT_ROWS) this.flushQuietly();
    else if (this.flushTimer === undefined) {
      this.flushTimer = setTimeout(() => this.flushQuietly(), FLUSH_AFTER_MS);
      // A normal exit commits the queue (see `withQueues`); the timer alone keeps nothing running.
      this.flushTimer.unref();
    }
    return written;
  }

  private flushQuietly(): void {
    try {
      this.flush();
    } catch {
      // A row that cannot be written (disk full, database locked for 5 s) must not take the server
      // down; the request it describes was answered.
    }
  }

  /** Commits the queued rows now. */
  flush(): void {
    if (this.flushTimer !== undefined) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    if (this.queued.length === 0 || !this.db.open) return;
    const rows = this.queued;
    this.queued = [];
    this.insertMany(rows);
    this.journal?.rotateIfLarge(this.forgetMark);
  }

  /**
   * Commits the rows that processes killed before their commit left in their journals. Each journal is
   * taken inside a write transaction that first reads its committed mark again, so two processes
   * opening the ledger at once never copy a row twice.
   */
  private recover(): void {
    const readMark = this.db.prepare<{ offset: number }>("SELECT offset FROM journal_marks WHERE name = ?");
    for (const name of abandonedJournals(this.journalDir)) {
      this.db
        .transaction(() => {
          const from = readMark.get(name)?.offset ?? 0;
          const { length, records } = readJournal(this.journalDir, name, from);
          for (const record of records) this.insert(record);
          if (length > from) this.setMark.run(name, length);
        })
        .immediate();
      removeJournal(this.journalDir, name);
      this.forgetMark(name);
    }
  }

  /** Deletes rows older than `retentionDays` days; returns how many went. */
  prune(retentionDays: number): number {
    this.flush();
    return this.db.prepare("DELETE FROM requests WHERE ts < ?").run(this.clock.now() - retentionDays * DAY_MS).changes;
  }

  /** One summary per group, groups in order (models by calls, days and sessions by time). */
  summarize(filter: LedgerFilter, by: UsageGrouping): UsageSummary[] {
    const order = by === "model" ? "calls DESC, key" : by === "day" ? "key" : "MIN(b.ts), key";
    return this.summaryQuery(GROUP_EXPRESSIONS[by], filter, order);
  }

  /** The same figures over every row the filter takes. */
  total(filter: LedgerFilter): UsageSummary {
    return this.summaryQuery(GROUP_EXPRESSIONS.all, filter, "key")[0] ?? emptySummary("all");
  }

  /** Dollars spent since `since`, per serving model, for rebuilding budget counters. */
  spendByModel(since: number, project?: string): Map<string, number> {
    this.flush();
    const rows = this.db
      .prepare<{ model: string; cost: number }>(
        `SELECT served_model AS model, TOTAL(cost) AS cost FROM requests
         WHERE ts >= ? AND served_model IS NOT NULL ${project === undefined ? "" : "AND project = ?"} GROUP BY served_model`,
      )
      .all(...(project === undefined ? [since] : [since, project]));
    return new Map(rows.map((row) => [row.model, row.cost]));
  }

  /** Every row in the filter, oldest first: for exports and tests. */
  records(filter: LedgerFilter): UsageRecord[] {
    this.flush();
    const { where, params } = whereClause(filter);
    return this.db
      .prepare<Row>(`SELECT * FROM requests b WHERE ${where} ORDER BY ts, id`)
      .all(params)
      .map(fromRow);
  }

  close(): void {
    withQueues.delete(this);
    if (!this.db.open) return;
    try {
      this.flush();
      // Every row is committed: the journal has nothing left to say.
      this.journal?.close(this.forgetMark);
      this.journal = undefined;
    } finally {
      this.db.close();
    }
  }

  private summaryQuery(group: string, filter: LedgerFilter, order: string): UsageSummary[] {
    this.flush();
    const { where, params } = whereClause(filter);
    // Nearest-rank percentiles with window functions: rank ceil(p * n) among a group's successful calls.
    const sql = `
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
    return this.db.prepare<SummaryRow>(sql).all(params).map((row) => ({
      key: String(row.key),
      calls: row.calls,
      failures: row.failures,
      fallbacks: row.fallbacks,
      p50LatencyMs: row.p50,
      p95LatencyMs: row.p95,
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
      estimatedCalls: row.estimated,
      costUsd: row.cost,
      unpricedCalls: row.unpriced,
    }));
  }
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

/** `.lf/usage.db` keeps its journals in `.lf/usage.journal/`. */
function journalDirOf(file: string): string {
  return join(dirname(file), `${basename(file).replace(/\.db$/, "")}.journal`);
}

let Sqlite: typeof Database | undefined;
/** better-sqlite3 and its native module load with the first ledger: `lf chat` reaches its model without them. */
function sqlite(): typeof Database {
  Sqlite ??= createRequire(import.meta.url)("better-sqlite3") as typeof Database;
  return Sqlite;
}
