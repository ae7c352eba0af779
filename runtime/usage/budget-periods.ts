export type BudgetPeriod = "daily" | "monthly";

/** The UTC day or month containing `now`: its start, its end, and a label for keys and messages. */
export function periodOf(period: BudgetPeriod, now: number): { start: number; end: number; label: string } {
  const date = new Date(now);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth();
  if (period === "daily") {
    const start = Date.UTC(year, month, date.getUTCDate());
    return { start, end: start + 86_400_000, label: new Date(start).toISOString().slice(0, 10) };
  }
  const start = Date.UTC(year, month, 1);
  return { start, end: Date.UTC(year, month + 1, 1), label: new Date(start).toISOString().slice(0, 7) };
}
