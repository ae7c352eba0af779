import { systemClock, type Clock } from "../core/index.js";
import type { StateLogger } from "../state/index.js";
import type { Ledger, LedgerBacklog, LedgerFilter, UsageGrouping, UsageSummary } from "./ledger.js";
import { PostgresUsageStore, SHIP_BATCH_ROWS, UsageDatabaseUnavailable, type PostgresUsageStoreOptions } from "./postgres-usage-store.js";
import { UsageLedger, type SpooledRow } from "./usage-ledger.js";
import type { UsageRecord } from "./usage-record.js";

/** Where the ledger reports losing and regaining its database: as the state store does its Redis. */
export type LedgerLogger = StateLogger;

export interface PostgresUsageLedgerOptions extends PostgresUsageStoreOptions {
  /** `namespace/name`: retention prunes this project's rows only. */
  project: string;
  /** The local ledger the rows go through; without it the ledger only reads (`lf usage`). */
  file?: string;
  retentionDays?: number;
  clock?: Clock;
  logger?: LedgerLogger;
  /** How often the local file is read for rows another process left in it. Default 30 s. */
  sweepMs?: number;
}

const DAY_MS = 86_400_000;
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 5000;
/** `close` waits this long for the last rows to reach the database; the rest wait in the local file. */
const CLOSE_SHIP_MS = 2000;
/** Rows kept in memory for shipping; beyond this (a slow database) they are read back from the file. */
const MAX_OUTBOX_ROWS = 20_000;
/** How often the local file is read for rows another process left there (an `lf chat` while the database was down). */
const SWEEP_MS = 30_000;

/**
 * The usage ledger of several instances: every row is first written to this instance's own SQLite
 * ledger (journalled before its answer is complete, as always) and then shipped, oldest first and up
 * to 500 rows per INSERT, to PostgreSQL, where reports, budgets and retention read it. A shipped row
 * is deleted from the local file only after PostgreSQL committed it, and inserted there under its own
 * id, so a row is never lost (PostgreSQL down: rows wait locally, shipped when it is back, also by the
 * next process to open the file) and never counted twice (shipped again after a crash: skipped).
 *
 * Rows this process commits are shipped from memory (the outbox), so shipping costs no read of the
 * file; the file is read instead at opening, after a failure (the outbox is dropped: every row is on
 * disk), when the outbox grows past 20,000 rows, and every 30 s if it holds rows the outbox does not.
 */
export class PostgresUsageLedger implements Ledger {
  private readonly clock: Clock;
  private shipping: Promise<void> | undefined;
  private again: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private reachable = true;
  private lastError: string | undefined;
  private closed = false;
  private readonly local: UsageLedger | undefined;
  /** Committed rows not yet shipped, oldest first, while `fromDisk` is false. */
  private outbox: SpooledRow[] = [];
  /** Ship from the file until it is empty, rather than from the outbox. */
  private fromDisk = true;
  private sweepTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly store: PostgresUsageStore,
    private readonly options: PostgresUsageLedgerOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.local = options.file === undefined ? undefined : UsageLedger.open(options.file, { clock: this.clock, onCommit: (rows) => this.committed(rows) });
  }

  /** Opens the local file, then connects, migrates, prunes and ships what waits, in the background. */
  static open(url: string, options: PostgresUsageLedgerOptions): PostgresUsageLedger {
    const ledger = new PostgresUsageLedger(new PostgresUsageStore(url, options), options);
    if (ledger.local !== undefined) {
      ledger.shipSoon();
      ledger.sweepTimer = setInterval(() => ledger.sweep(), options.sweepMs ?? SWEEP_MS);
      ledger.sweepTimer.unref();
      if (options.retentionDays !== undefined) void Promise.resolve(ledger.prune(options.retentionDays)).catch(() => undefined);
    }
    return ledger;
  }

  get database(): string {
    return this.store.describe;
  }

  append(record: UsageRecord): Promise<void> {
    return this.writer().append(record);
  }

  insert(record: UsageRecord): void {
    this.writer().insert(record);
  }

  flush(): void {
    this.local?.flush();
  }

  async records(filter: LedgerFilter): Promise<UsageRecord[]> {
    await this.drain();
    return this.store.records(filter);
  }

  async summarize(filter: LedgerFilter, by: UsageGrouping): Promise<UsageSummary[]> {
    await this.drain();
    return this.store.summarize(filter, by);
  }

  async total(filter: LedgerFilter): Promise<UsageSummary> {
    await this.drain();
    return this.store.total(filter);
  }

  async spendByModel(since: number, project?: string): Promise<Map<string, number>> {
    await this.drain();
    return this.store.spendByModel(since, project);
  }

  /** Prunes the local file, then this project's rows in PostgreSQL; returns how many went there. */
  async prune(retentionDays: number): Promise<number> {
    this.local?.prune(retentionDays);
    return this.store.prune(this.options.project, this.clock.now() - retentionDays * DAY_MS);
  }

  backlog(): LedgerBacklog {
    return {
      database: this.store.describe,
      reachable: this.reachable,
      rows: this.local?.spoolSize() ?? 0,
      ...(this.lastError === undefined ? {} : { detail: this.lastError }),
    };
  }

  /** Ships what it can within 2 s, then closes; rows left wait in the local file for the next opener. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.sweepTimer);
    try {
      this.local?.flush();
      if (this.local !== undefined && this.local.spoolSize() > 0) await withTimeout(this.ship(), CLOSE_SHIP_MS).catch(() => undefined);
    } finally {
      await (this.again ?? this.shipping)?.catch(() => undefined);
      this.local?.close();
      await this.store.close();
    }
  }

  /** Every row committed so far, in PostgreSQL; throws `UsageDatabaseUnavailable` when it cannot be. */
  private async drain(): Promise<void> {
    this.local?.flush();
    if (this.local !== undefined && this.local.spoolSize() > 0) await this.ship();
    else await this.store.ready();
  }

  private committed(rows: SpooledRow[]): void {
    if (!this.fromDisk) {
      if (this.outbox.length + rows.length <= MAX_OUTBOX_ROWS) this.outbox.push(...rows);
      else this.readFromDisk();
    }
    // Rows recovered while the file opens come before `local` is set: the first ship reads them.
    if (this.local !== undefined) this.shipSoon();
  }

  /** Every unshipped row is in the file: ship from there until it is empty. */
  private readFromDisk(): void {
    this.outbox = [];
    this.fromDisk = true;
  }

  private sweep(): void {
    if (this.fromDisk || this.local === undefined || this.local.spoolSize() <= this.outbox.length) return;
    this.readFromDisk();
    this.shipSoon();
  }

  private shipSoon(): void {
    if (this.closed || this.retryTimer !== undefined) return;
    void this.ship().catch(() => undefined);
  }

  /**
   * One shipping loop at a time, until the local file is empty; a failure schedules the next try. A
   * call while a loop runs gets one more loop after it: the running one may have read the file before
   * the rows that prompted the call were committed.
   */
  private ship(): Promise<void> {
    if (this.shipping === undefined) {
      this.shipping = this.shipAll().finally(() => (this.shipping = undefined));
      return this.shipping;
    }
    this.again ??= this.shipping
      .catch(() => undefined)
      .then(() => {
        this.again = undefined;
        return this.ship();
      });
    return this.again;
  }

  private async shipAll(): Promise<void> {
    const local = this.local!;
    try {
      for (;;) {
        const fromOutbox = !this.fromDisk;
        let rows: SpooledRow[];
        if (fromOutbox) rows = this.outbox.slice(0, SHIP_BATCH_ROWS);
        else {
          rows = local.spooled(SHIP_BATCH_ROWS);
          // Fewer than asked for: this read holds every row on disk, and the rows committed from now on
          // go to the outbox. Reading and switching in one turn, no commit falls between them.
          if (rows.length < SHIP_BATCH_ROWS) this.fromDisk = false;
        }
        if (rows.length === 0) break;
        await this.store.insert(rows);
        local.unspool(rows);
        // Unless the outbox was dropped meanwhile, its first rows are the ones just shipped.
        if (fromOutbox && !this.fromDisk) this.outbox.splice(0, rows.length);
      }
      this.recovered();
    } catch (error) {
      this.readFromDisk();
      this.failed(error);
      throw error;
    }
  }

  private recovered(): void {
    if (!this.reachable) this.options.logger?.info(`usage database reachable again (${this.store.describe}): rows written meanwhile are shipped`);
    this.reachable = true;
    this.lastError = undefined;
    this.failures = 0;
  }

  private failed(error: unknown): void {
    const reason = error instanceof UsageDatabaseUnavailable ? error.reason : error instanceof Error ? error.message : String(error);
    if (this.reachable) this.options.logger?.warn(`usage database unreachable (${this.store.describe}): ${reason}; rows wait in the local ledger until it is back`);
    this.reachable = false;
    this.lastError = reason;
    if (this.closed) return;
    const wait = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** this.failures++);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.shipSoon();
    }, wait);
    this.retryTimer.unref();
  }

  private writer(): UsageLedger {
    if (this.local === undefined) throw new Error("This usage ledger only reads: it was opened without a local file.");
    return this.local;
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not done within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
