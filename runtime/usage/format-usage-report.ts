import type { UsageSummary } from "./ledger.js";
import type { UsageReport } from "./usage-report.js";

/** The report as aligned text columns, for a terminal. */
export function formatUsageReport(report: UsageReport): string {
  const period = `${report.since.replace(".000Z", "Z")} to ${report.until.replace(".000Z", "Z")}`;
  if (report.compare !== undefined) return `${compareTable(report.rows)}\n\n${period}\n`;
  if (report.totals.calls === 0) return `No requests recorded from ${period}.\n`;
  const header = [report.by, "calls", "failed", "fallbacks", "p50", "p95", "tokens in", "tokens out", "cost"];
  const line = (row: UsageSummary, key = row.key || "(none)") => [
    key,
    String(row.calls),
    String(row.failures),
    String(row.fallbacks),
    ms(row.p50LatencyMs),
    ms(row.p95LatencyMs),
    count(row.inputTokens),
    count(row.outputTokens),
    cost(row),
  ];
  const table = align([header, ...report.rows.map((row) => line(row)), line(report.totals, "total")], 1);
  const notes = [];
  if (report.totals.estimatedCalls > 0) notes.push(`~ ${report.totals.estimatedCalls} calls reported no usage: their tokens are estimated.`);
  if (report.totals.unpricedCalls > 0) notes.push(`? ${report.totals.unpricedCalls} calls went to models with no known price (counted as $0).`);
  return `${table}\n\n${[period, ...notes].join("\n")}\n`;
}

function compareTable(rows: readonly UsageSummary[]): string {
  const per = (row: UsageSummary, value: number) => (row.calls === 0 ? "-" : value / row.calls);
  const metrics: [string, (row: UsageSummary) => string][] = [
    ["calls", (r) => String(r.calls)],
    ["failure rate", (r) => (r.calls === 0 ? "-" : `${((r.failures / r.calls) * 100).toFixed(1)}%`)],
    ["fallbacks", (r) => String(r.fallbacks)],
    ["p50 latency", (r) => ms(r.p50LatencyMs)],
    ["p95 latency", (r) => ms(r.p95LatencyMs)],
    ["tokens in / call", (r) => fixed(per(r, r.inputTokens))],
    ["tokens out / call", (r) => fixed(per(r, r.outputTokens))],
    ["cost", (r) => cost(r)],
    ["cost / call", (r) => (r.calls === 0 ? "-" : `$${(r.costUsd / r.calls).toFixed(6)}`)],
  ];
  return align([["", ...rows.map((r) => r.key)], ...metrics.map(([name, value]) => [name, ...rows.map(value)])], 1);
}

function align(rows: string[][], leftColumns: number): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows
    .map((row) => row.map((cell, i) => (i < leftColumns ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ").trimEnd())
    .join("\n");
}

function ms(value: number | null): string {
  return value === null ? "-" : value >= 10_000 ? `${(value / 1000).toFixed(1)}s` : `${Math.round(value)}ms`;
}

function count(value: number): string {
  return value.toLocaleString("en-US");
}

function fixed(value: number | string): string {
  return typeof value === "string" ? value : value.toFixed(1);
}

function cost(row: UsageSummary): string {
  return `$${row.costUsd.toFixed(row.costUsd >= 100 ? 2 : 4)}${row.estimatedCalls > 0 ? "~" : ""}${row.unpricedCalls > 0 ? "?" : ""}`;
}
