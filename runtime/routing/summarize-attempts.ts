import type { RouteAttempt } from "./route-attempt.js";

/**
 * One line per model, in the order they were tried: what happened to it. `client`: as a client of the
 * API is told it, without upstream URLs or what an upstream wrote (the log gets the rest).
 */
export function summarizeAttempts(attempts: readonly RouteAttempt[], view: "log" | "client" = "log"): string {
  const detailOf = (attempt: RouteAttempt) => (view === "client" ? (attempt.clientDetail ?? attempt.detail) : attempt.detail);
  const byModel = new Map<string, RouteAttempt[]>();
  for (const attempt of attempts) {
    const list = byModel.get(attempt.model) ?? [];
    list.push(attempt);
    byModel.set(attempt.model, list);
  }
  const lines: string[] = [];
  for (const [model, list] of byModel) {
    const calls = list.filter((attempt) => attempt.outcome !== "skipped");
    const last = list[list.length - 1];
    if (last === undefined) continue;
    if (calls.length === 0) {
      const detail = detailOf(last);
      lines.push(`${model}: skipped (${last.skipped ?? "unknown"}${detail === undefined ? "" : `: ${detail}`})`);
      continue;
    }
    const lastCall = calls[calls.length - 1]!;
    const what = [lastCall.status, lastCall.code].filter((part) => part !== undefined).join(" ");
    const tries = calls.length === 1 ? "1 attempt" : `${calls.length} attempts`;
    const skippedAfter = last.outcome === "skipped" ? `, then skipped (${last.skipped})` : "";
    const detail = detailOf(lastCall);
    lines.push(`${model}: ${lastCall.outcome} ${what} after ${tries}${detail === undefined ? "" : `: ${detail}`}${skippedAfter}`);
  }
  return lines.join("; ");
}
