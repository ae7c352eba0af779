/**
 * Send-time stamps embedded in streamed text, so a benchmark can measure how long a chunk took from
 * the fake's socket write to the client's read.
 *
 * `hrtime` is the system's monotonic clock (`process.hrtime`), shared by every process on the host on
 * Linux and macOS, so it is the one to use when the fake and the client are different processes.
 * `epoch` is `performance.timeOrigin + performance.now()`: comparable across hosts with synced clocks,
 * but each process fixes its time origin once, so expect some drift between processes.
 */
export type StampClock = "hrtime" | "epoch";

const PATTERN = /\[lf-ts:(hr|ep):(\d+(?:\.\d+)?)\]/g;

export function stampNow(clock: StampClock): number {
  return clock === "hrtime" ? Number(process.hrtime.bigint() / 1000n) / 1000 : performance.timeOrigin + performance.now();
}

export function makeStamp(clock: StampClock): string {
  return `[lf-ts:${clock === "hrtime" ? "hr" : "ep"}:${stampNow(clock).toFixed(3)}]`;
}

export interface Stamp {
  clock: StampClock;
  /** Milliseconds on that clock. */
  ms: number;
}

export function readStamps(text: string): Stamp[] {
  const stamps: Stamp[] = [];
  for (const match of text.matchAll(PATTERN)) stamps.push({ clock: match[1] === "hr" ? "hrtime" : "epoch", ms: Number(match[2]) });
  return stamps;
}

/** Milliseconds from each stamp in `text` to now, read on the stamp's own clock. */
export function stampAgesMs(text: string): number[] {
  return readStamps(text).map((stamp) => stampNow(stamp.clock) - stamp.ms);
}

export function stripStamps(text: string): string {
  return text.replace(PATTERN, "");
}
