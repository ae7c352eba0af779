import { existsSync } from "node:fs";
import type { ResolvedProject } from "../config/index.js";
import type { Clock } from "../core/index.js";
import type { Ledger } from "./ledger.js";
import { PostgresUsageLedger, type LedgerLogger } from "./postgres-usage-ledger.js";
import { UsageLedger, usageLedgerPath } from "./usage-ledger.js";

export interface OpenUsageLedgerOptions {
  /** The local ledger file; default `.lf/usage.db` in the project folder. */
  file?: string;
  clock?: Clock;
  logger?: LedgerLogger;
  /** Prune past `usage.retention_days` on opening (default true). */
  prune?: boolean;
}

/**
 * The project's ledger: SQLite in `.lf/usage.db`, or, with `usage.database_url`, PostgreSQL fed
 * through that file. Always writable: opening creates the file.
 */
export function openUsageLedger(project: ResolvedProject, options: OpenUsageLedgerOptions = {}): Ledger {
  const file = options.file ?? usageLedgerPath(project.dir);
  const retention = options.prune === false ? {} : { retentionDays: project.usage.retentionDays };
  const clock = options.clock === undefined ? {} : { clock: options.clock };
  const url = project.usage.databaseUrl;
  if (url === undefined || url === "") return UsageLedger.open(file, { ...retention, ...clock });
  return PostgresUsageLedger.open(url, {
    project: project.key,
    file,
    ...retention,
    ...clock,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
}

/**
 * The project's ledger for reading a report, or undefined when there is nothing to read: reading never
 * creates a local file. With PostgreSQL, rows still waiting in the local file are shipped first.
 */
export function openUsageReader(project: ResolvedProject): Ledger | undefined {
  const file = usageLedgerPath(project.dir);
  const local = existsSync(file);
  const url = project.usage.databaseUrl;
  if (url === undefined || url === "") return local ? UsageLedger.open(file) : undefined;
  return PostgresUsageLedger.open(url, { project: project.key, ...(local ? { file } : {}) });
}
