import { existsSync } from "node:fs";
import type { Request, Response } from "express";
import { emptyUsageReport, parseUsageQuery, usageLedgerPath, usageReport, UsageLedger, type UsageReport, type UsageQuery } from "../usage/index.js";
import type { Runtime } from "../index.js";
import { checkAccess } from "./api-keys.js";
import { unknownProject } from "./chat-target.js";
import type { ProjectRegistry } from "./project-registry.js";
import { contextOf } from "./request-context.js";
import { sendJson } from "./send-json.js";

/**
 * `GET /v1/projects/{namespace}/{project}/usage?since=7d&by=model|day|session&compare=a,b`: the
 * report `lf usage --json` prints, for one project. The runtime's own ledger when it keeps one, else
 * the project's `.lf/usage.db` when some other process (`lf chat`) wrote it, else an empty report:
 * reading never creates a ledger.
 */
export function usageRoute(registry: ProjectRegistry) {
  return function usage(req: Request, res: Response): void {
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
      sendJson(res, ctx, 200, reportOf(generation.runtime, query));
    } finally {
      served.release(generation);
    }
  };
}

function reportOf(runtime: Runtime, query: UsageQuery): UsageReport {
  const own = runtime.usage?.ledger;
  if (own !== undefined) return usageReport(own, query);
  const file = usageLedgerPath(runtime.project.dir);
  if (!existsSync(file)) return emptyUsageReport(query);
  const ledger = UsageLedger.open(file);
  try {
    return usageReport(ledger, query);
  } finally {
    ledger.close();
  }
}
