import type { Request, Response } from "express";
import { emptyUsageReport, openUsageReader, parseUsageQuery, UsageDatabaseUnavailable, usageReport, type UsageReport, type UsageQuery } from "../usage/index.js";
import type { Runtime } from "../index.js";
import { ApiError } from "../wires/api-error.js";
import { checkAccess } from "./api-keys.js";
import { unknownProject } from "./chat-target.js";
import type { ProjectRegistry } from "./project-registry.js";
import { contextOf } from "./request-context.js";
import { sendJson } from "./send-json.js";

/**
 * `GET /v1/projects/{namespace}/{project}/usage?since=7d&by=model|day|session&compare=a,b`: the
 * report `lf usage --json` prints, for one project. The runtime's own ledger when it keeps one, else
 * the project's `.lf/usage.db` when some other process (`lf chat`) wrote it, else an empty report:
 * reading never creates a ledger. With `usage.database_url` the report is PostgreSQL's, every
 * instance's rows; 503 while it cannot be reached.
 */
export function usageRoute(registry: ProjectRegistry) {
  return async function usage(req: Request, res: Response): Promise<void> {
    const ctx = contextOf(req);
    const key = `${req.params.namespace}/${req.params.project}`;
    const served = registry.get(key);
    if (served === undefined) throw unknownProject(registry, key, ctx);
    checkAccess(ctx.key, key);
    const at = req.url.indexOf("?");
    const params = new URLSearchParams(at === -1 ? "" : req.url.slice(at + 1));
    const query = { ...parseUsageQuery(params, Date.now()), project: key };
    const generation = served.acquire();
    try {
      sendJson(res, ctx, 200, await reportOf(generation.runtime, query));
    } catch (error) {
      if (!(error instanceof UsageDatabaseUnavailable)) throw error;
      throw new ApiError(503, `${error.message} Rows are kept by each instance and shipped when it is back.`, "server_error", "usage_database_unavailable");
    } finally {
      served.release(generation);
    }
  };
}

async function reportOf(runtime: Runtime, query: UsageQuery): Promise<UsageReport> {
  const own = runtime.usage?.ledger;
  if (own !== undefined) return usageReport(own, query);
  const ledger = openUsageReader(runtime.project);
  if (ledger === undefined) return emptyUsageReport(query);
  try {
    return await usageReport(ledger, query);
  } finally {
    await ledger.close();
  }
}
