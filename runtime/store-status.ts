import { existsSync } from "node:fs";
import type { ResolvedProject } from "./config/index.js";
import { redactSecrets } from "./config/index.js";
import { FileSessionStore } from "./server/file-session-store.js";
import { connectRedis, describeRedisUrl } from "./state/index.js";
import { PostgresUsageStore, UsageLedger, usageLedgerPath } from "./usage/index.js";

/** Where a project keeps what its users see across requests, and whether that answers now. */
export interface StoreStatus {
  sessions: { store: string; reachable: boolean; detail?: string };
  /** With PostgreSQL, `rows` are those written here and waiting in `.lf/usage.db` to be shipped to it. */
  usage: { store: string; reachable: boolean; rows?: number; detail?: string };
}

/**
 * The session store (Redis with `state.redis_url`, else files) and the usage ledger (PostgreSQL with
 * `usage.database_url`, else SQLite), each checked within `timeoutMs`. Ships nothing and writes nothing
 * but what opening an existing local ledger does (committing what a killed process left in its journal).
 */
export async function storeStatus(project: ResolvedProject, timeoutMs: number): Promise<StoreStatus> {
  const [sessions, usage] = await Promise.all([sessionStatus(project, timeoutMs), usageStatus(project, timeoutMs)]);
  const redact = <T extends { detail?: string }>(status: T): T => (status.detail === undefined ? status : { ...status, detail: redactSecrets(status.detail, project.secrets) });
  return { sessions: redact(sessions), usage: redact(usage) };
}

async function sessionStatus(project: ResolvedProject, timeoutMs: number): Promise<StoreStatus["sessions"]> {
  const url = project.state.redisUrl;
  // Described by the store itself; made, not swept: nothing is written.
  if (url === undefined || url === "") return { store: new FileSessionStore(project.dir).describe, reachable: true };
  const redis = connectRedis(url, { connectTimeoutMs: timeoutMs, commandTimeoutMs: timeoutMs });
  let lastError = "no connection";
  redis.on("error", (error: Error) => (lastError = error.message));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no connection within ${timeoutMs} ms (${lastError})`)), timeoutMs);
      redis.once("ready", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    await redis.ping();
    return { store: describeRedisUrl(url), reachable: true };
  } catch (error) {
    return { store: describeRedisUrl(url), reachable: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    redis.disconnect();
  }
}

async function usageStatus(project: ResolvedProject, timeoutMs: number): Promise<StoreStatus["usage"]> {
  const file = usageLedgerPath(project.dir);
  const url = project.usage.databaseUrl;
  if (url === undefined || url === "") return { store: `SQLite ${file}`, reachable: true };
  let rows = 0;
  if (existsSync(file)) {
    const local = UsageLedger.open(file);
    try {
      rows = local.spoolSize();
    } finally {
      local.close();
    }
  }
  const database = new PostgresUsageStore(url, { connectTimeoutMs: timeoutMs, queryTimeoutMs: timeoutMs });
  try {
    await database.ready();
    return { store: database.describe, reachable: true, rows };
  } catch (error) {
    return { store: database.describe, reachable: false, rows, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    await database.close();
  }
}
