export type BudgetPeriod = "daily" | "monthly";

export interface PeriodSpan {
  readonly start: number;
  readonly end: number;
  readonly label: string;
}

// Budgets ask for the current day and month several times per request: the last answer is kept.
const last: Record<BudgetPeriod, PeriodSpan | undefined> = { daily: undefined, monthly: undefined };

/** The UTC day or month containing `now`: its start, its end, and a label for keys and messages. */
export function periodOf(period: BudgetPeriod, now: number): PeriodSpan {
  const cached = last[period];
  if (cached !== undefined && now >= cached.start && now < cached.end) return cached;
  const span = Object.freeze(computePeriod(period, now));
  last[period] = span;
  return span;
}

function computePeriod(period: BudgetPeriod, now: number): PeriodSpan {
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
