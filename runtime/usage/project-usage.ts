import { systemClock, type Clock } from "../core/index.js";
import type { ResolvedProject } from "../config/index.js";
import type { StateStore } from "../state/index.js";
import { BudgetGuard } from "./budget-guard.js";
import type { EndedRequest } from "./build-usage-record.js";
import type { Ledger } from "./ledger.js";
import { openUsageLedger } from "./open-usage-ledger.js";
import type { LedgerLogger } from "./postgres-usage-ledger.js";
import { UsageDatabaseUnavailable } from "./postgres-usage-store.js";
import { recordUsage } from "./record-usage.js";
import { UsageLedger, usageLedgerPath } from "./usage-ledger.js";
import type { UsageRecord } from "./usage-record.js";

/** A project's ledger and budgets, opened together. */
export interface ProjectUsage {
  readonly ledger: Ledger;
  readonly budget: BudgetGuard;
  record(request: EndedRequest): Promise<UsageRecord>;
  close(): Promise<void>;
}

/**
 * Opens the project's ledger (`.lf/usage.db`, and PostgreSQL with `usage.database_url`, pruned to
 * `usage.retention_days`) and a budget guard over `store`. A store that is not shared (`shared: false`,
 * this process's memory) starts empty, so its spend counters are rebuilt from the ledger; a shared one
 * (Redis) already holds them.
 */
export async function openProjectUsage(
  project: ResolvedProject,
  options: {
    store: StateStore & { readonly shared?: boolean };
    clock?: Clock;
    file?: string;
    /**
     * An open ledger to use (a server keeps one across config reloads); `close()` then leaves it open.
     * With it, spend is rebuilt from the ledger only when `restore` is true: once per new store.
     */
    ledger?: Ledger;
    restore?: boolean;
    logger?: LedgerLogger;
  },
): Promise<ProjectUsage> {
  const clock = options.clock ?? systemClock;
  const owned = options.ledger === undefined;
  let ledger = options.ledger;
  const file = options.file ?? usageLedgerPath(project.dir);
  const open = (): Ledger =>
    (ledger ??= openUsageLedger(project, { file, clock, ...(options.logger === undefined ? {} : { logger: options.logger }) }));
  const budget = BudgetGuard.forProject(project, options.store, clock);
  const restore = (options.restore ?? owned) && options.store.shared !== true;
  // A ledger of its own with no budget to restore opens with the first record (`lf chat` calls its
  // model first); a ledger kept across reloads restores spend for budgets a later edit may add.
  if (restore && (budget.limitsAnything || !owned)) {
    try {
      await budget.restoreFrom(open());
    } catch (error) {
      // PostgreSQL down at start must not stop the project from serving: budgets count from here on.
      if (!(error instanceof UsageDatabaseUnavailable)) throw error;
      options.logger?.warn(`${error.message} Budgets count only the spend from now on.`);
    }
  }
  // Opened later or not, a ledger that cannot be written is said now, not lost request by request.
  else if (ledger === undefined) UsageLedger.checkWritable(file);
  return {
    get ledger() {
      return open();
    },
    budget,
    record: (request) => recordUsage({ ledger: open(), budget }, request),
    close: async () => {
      if (owned) await ledger?.close();
    },
  };
}
