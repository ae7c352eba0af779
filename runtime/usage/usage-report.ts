import { emptySummary, type Ledger, type UsageSummary } from "./ledger.js";
import type { UsageQuery } from "./usage-query.js";

/** What `lf usage --json` prints and `GET /v1/projects/{namespace}/{project}/usage` returns. */
export interface UsageReport {
  since: string;
  until: string;
  by: UsageQuery["by"];
  /** Present for an A/B comparison: `rows` then hold these models, in this order. */
  compare?: string[];
  rows: UsageSummary[];
  totals: UsageSummary;
}

export async function usageReport(ledger: Ledger, query: UsageQuery): Promise<UsageReport> {
  const filter = {
    since: query.since,
    until: query.until,
    ...(query.project === undefined ? {} : { project: query.project }),
    ...(query.compare === undefined ? {} : { models: query.compare }),
  };
  const base = { since: new Date(query.since).toISOString(), until: new Date(query.until).toISOString() };
  if (query.compare !== undefined) {
    const found = new Map((await ledger.summarize(filter, "model")).map((row) => [row.key, row]));
    return {
      ...base,
      by: "model",
      compare: query.compare,
      rows: query.compare.map((model) => found.get(model) ?? emptySummary(model)),
      totals: await ledger.total(filter),
    };
  }
  return { ...base, by: query.by, rows: await ledger.summarize(filter, query.by), totals: await ledger.total(filter) };
}

/** An empty report for a project with no ledger yet. */
export function emptyUsageReport(query: UsageQuery): UsageReport {
  return {
    since: new Date(query.since).toISOString(),
    until: new Date(query.until).toISOString(),
    by: query.compare === undefined ? query.by : "model",
    ...(query.compare === undefined ? {} : { compare: query.compare }),
    rows: (query.compare ?? []).map(emptySummary),
    totals: emptySummary("all"),
  };
}
