import { LfError } from "../core/index.js";
import type { UsageGrouping } from "./ledger.js";

/** A report request, as `lf usage` and `GET .../usage` take it. */
export interface UsageQuery {
  since: number;
  until: number;
  by: UsageGrouping;
  /** Models side by side (A/B), in the order given. */
  compare?: string[];
  project?: string;
}

export interface UsageQueryInput {
  /** `7d`, `24h`, `30m`, `2w`, a date (`2025-01-15`, UTC midnight) or an ISO time. Default `7d`. */
  since?: string | null | undefined;
  /** The same forms; default now. */
  until?: string | null | undefined;
  by?: string | null | undefined;
  /** `a,b`: two or more model names. */
  compare?: string | null | undefined;
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const GROUPINGS: readonly UsageGrouping[] = ["model", "day", "session", "key"];

/** Reads a query from CLI options or URL parameters; a bad value is an `invalid_request` saying why. */
export function parseUsageQuery(input: UsageQueryInput | URLSearchParams, now: number): UsageQuery {
  const get = (name: keyof UsageQueryInput) => (input instanceof URLSearchParams ? input.get(name) : input[name]) ?? undefined;
  const since = parseTime(get("since") ?? "7d", now, "since");
  const until = get("until") === undefined ? now : parseTime(get("until")!, now, "until");
  if (since >= until) {
    throw new LfError("invalid_request", `The period is empty: since ${new Date(since).toISOString()} is not before until ${new Date(until).toISOString()}.`, { details: { param: "since" } });
  }
  const by = get("by") ?? "model";
  if (!GROUPINGS.includes(by as UsageGrouping)) {
    throw new LfError("invalid_request", `by must be one of ${GROUPINGS.join(", ")}, not "${by}".`, { details: { param: "by" } });
  }
  const compareText = get("compare");
  const query: UsageQuery = { since, until, by: by as UsageGrouping };
  if (compareText !== undefined) {
    const models = [...new Set(compareText.split(",").map((name) => name.trim()).filter((name) => name !== ""))];
    if (models.length < 2) {
      throw new LfError("invalid_request", `compare needs two or more model names separated by commas, as in "fast,smart"; got "${compareText}".`, { details: { param: "compare" } });
    }
    query.compare = models;
  }
  return query;
}

function parseTime(text: string, now: number, field: string): number {
  const value = text.trim();
  const relative = /^(\d+(?:\.\d+)?)\s*([mhdw])$/i.exec(value);
  if (relative !== null) return now - Number(relative[1]) * UNIT_MS[relative[2]!.toLowerCase()]!;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const time = Date.parse(`${value}T00:00:00Z`);
    if (!Number.isNaN(time)) return time;
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const time = Date.parse(value);
    if (!Number.isNaN(time)) return time;
  }
  throw new LfError("invalid_request", `${field} must be a duration back from now (30m, 24h, 7d, 2w), a date (2025-01-15) or an ISO time; got "${text}".`, { details: { param: field } });
}
