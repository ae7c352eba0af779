import type Database from "better-sqlite3";
import { randomUUID } from "node:crypto";
import { accessSync, constants, existsSync, mkdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { systemClock, type Clock } from "../core/index.js";
import { loadSqlite } from "../state/gateway-db.js";
import { emptySummary, type Ledger, type LedgerFilter, type UsageGrouping, type UsageSummary } from "./ledger.js";
import { COLUMNS, fromRow, GROUP_EXPRESSIONS, migrate, pushRow, ROW_PARAMETERS, summarySql, whereClause, type Row, type SummaryRow } from "./sqlite-ledger-sql.js";
import { abandonedJournals, readJournal, removeJournal, UsageJournal } from "./usage-journal.js";
import type { UsageRecord } from "./usage-record.js";

const DAY_MS = 86_400_000;

/** A committed row as the shipper to PostgreSQL reads it: where it sits locally, and its id everywhere. */
export interface SpooledRow {
  id: number;
  rowId: string;
  record: UsageRecord;
}

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

/** Rows per multi-row INSERT: one statement step for many rows (20 parameters each). */
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
export class UsageLedger implements Ledger {
  private readonly insertRow: Database.Statement;
  private readonly insertBatch: Database.Statement;
  /** Inserts the rows under their ids and returns the place (rowid) of the last; the others precede it. */
  private readonly insertMany: (records: UsageRecord[], rowIds: string[]) => number;
  private readonly selectSpooled: Database.Statement<Row>;
  private readonly deleteSpooled: Database.Statement;
  private readonly countRows: Database.Statement<{ n: number }>;
  private queued: UsageRecord[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private journal: UsageJournal | undefined;
  private readonly setMark: Database.Statement;
  private readonly forgetMark: (name: string) => void;

  private constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly journalDir: string,
    private readonly onCommit: ((rows: SpooledRow[]) => void) | undefined,
  ) {
    this.setMark = db.prepare("INSERT INTO journal_marks (name, offset) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET offset = excluded.offset");
    const deleteMark = db.prepare("DELETE FROM journal_marks WHERE name = ?");
    this.forgetMark = (name) => void deleteMark.run(name);
    this.insertRow = db.prepare(`INSERT INTO requests (${COLUMNS}) VALUES ${ROW_PARAMETERS}`);
    this.insertBatch = db.prepare(`INSERT INTO requests (${COLUMNS}) VALUES ${Array.from({ length: BATCH_ROWS }, () => ROW_PARAMETERS).join(", ")}`);
    this.insertMany = db.transaction((records: UsageRecord[], rowIds: string[]) => {
      let i = 0;
      let last = 0;
      if (records.length >= BATCH_ROWS) {
        const values: unknown[] = [];
        for (; i + BATCH_ROWS <= records.length; i += BATCH_ROWS) {
          values.length = 0;
          for (let j = i; j < i + BATCH_ROWS; j++) pushRow(values, records[j]!, rowIds[j]!);
          last = Number(this.insertBatch.run(values).lastInsertRowid);
        }
      }
      for (; i < records.length; i++) last = this.insertOne(records[i]!, rowIds[i]!);
      if (this.journal !== undefined) {
        const mark = this.journal.mark();
        this.setMark.run(mark.name, mark.offset);
      }
      return last;
    });
    this.selectSpooled = db.prepare<Row>("SELECT * FROM requests ORDER BY id LIMIT ?");
    this.deleteSpooled = db.prepare("DELETE FROM requests WHERE id = ? AND row_id = ?");
    this.countRows = db.prepare<{ n: number }>("SELECT COUNT(*) AS n FROM requests");
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

  /**
   * Opens (creating it and its folder if need be) and drops rows older than `retentionDays`. `onCommit`
   * hears of every row committed by `append` or `insert`, with its place and id, as it is committed.
   */
  static open(file: string, options: { retentionDays?: number; clock?: Clock; onCommit?: (rows: SpooledRow[]) => void } = {}): UsageLedger {
    mkdirSync(dirname(file), { recursive: true });
    const db = new (loadSqlite())(file, { timeout: 5000 });
    db.pragma("journal_mode = WAL");
    // In WAL mode NORMAL survives a killed process; only a power loss can cost the last commits.
    db.pragma("synchronous = NORMAL");
    migrate(db);
    const ledger = new UsageLedger(db, options.clock ?? systemClock, journalDirOf(file), options.onCommit);
    ledger.recover();
    if (options.retentionDays !== undefined) ledger.prune(options.retentionDays);
    return ledger;
  }

  insert(record: UsageRecord): void {
    const rowId = randomUUID();
    const id = this.insertOne(record, rowId);
    this.onCommit?.([{ id, rowId, record }]);
  }

  private insertOne(record: UsageRecord, rowId: string): number {
    const values: unknown[] = [];
    pushRow(values, record, rowId);
    return Number(this.insertRow.run(values).lastInsertRowid);
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
    const rowIds = rows.map(() => randomUUID());
    const last = this.insertMany(rows, rowIds);
    this.journal?.rotateIfLarge(this.forgetMark);
    // One transaction held the write lock throughout: its rows took consecutive places.
    if (this.onCommit !== undefined) {
      const first = last - rows.length + 1;
      this.onCommit(rows.map((record, i) => ({ id: first + i, rowId: rowIds[i]!, record })));
    }
  }

  /** The oldest committed rows, at most `limit`: what a ledger shipping to PostgreSQL sends next. */
  spooled(limit: number): SpooledRow[] {
    this.flush();
    return this.selectSpooled.all(limit).map((row) => ({ id: row.id, rowId: row.row_id, record: fromRow(row) }));
  }

  /**
   * Deletes rows that reached PostgreSQL. A row is matched by its place and its id both, so a row
   * another process wrote since, in a place that was freed, is never taken for a shipped one.
   */
  unspool(rows: readonly SpooledRow[]): void {
    this.db.transaction(() => {
      for (const row of rows) this.deleteSpooled.run(row.id, row.rowId);
    })();
  }

  /** Rows committed or queued here (for a ledger that ships, those not yet shipped). */
  spoolSize(): number {
    return (this.countRows.get()?.n ?? 0) + this.queued.length;
  }

  backlog(): undefined {
    return undefined;
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
          for (const record of records) this.insertOne(record, randomUUID());
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
    const order = by === "model" || by === "key" ? "calls DESC, key" : by === "day" ? "key" : "MIN(b.ts), key";
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
    const sql = summarySql(group, where, order);
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

/** `.lf/usage.db` keeps its journals in `.lf/usage.journal/`. */
function journalDirOf(file: string): string {
  return join(dirname(file), `${basename(file).replace(/\.db$/, "")}.journal`);
}
