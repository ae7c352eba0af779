const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A schema `Duration` (milliseconds, or "250ms", "30s", "5m", "1h", "30d") in milliseconds. */
export function parseDuration(value: number | string): number;
export function parseDuration(value: number | string | undefined): number | undefined;
export function parseDuration(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number") return value;
  const match = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)$/.exec(value);
  if (!match) throw new Error(`not a duration: ${JSON.stringify(value)}`);
  return Math.round(Number(match[1]) * UNIT_MS[match[2]!]!);
}

/** A schema body limit ("4mb", "512kb", "100b") in bytes. */
export function parseByteSize(value: string): number {
  const match = /^([0-9]+)(b|kb|mb)$/.exec(value);
  if (!match) throw new Error(`not a size: ${JSON.stringify(value)}`);
  const unit = match[2] === "mb" ? 1024 * 1024 : match[2] === "kb" ? 1024 : 1;
  return Number(match[1]) * unit;
}
