import type { Writable } from "node:stream";

type Output = Writable & { isTTY?: boolean; columns?: number };

const RATE_WINDOW_MS = 5_000;

/**
 * A download's progress on stderr: one bar redrawn in place on a terminal (bytes, percentage, rate,
 * time left), and on a pipe a plain line at each tenth of the file, so a log stays short and readable.
 */
export class ProgressBar {
  private total: number | undefined;
  private received = 0;
  /** Recent (time, bytes) pairs: the rate is over the last few seconds, not since the start. */
  private samples: Array<[number, number]> = [];
  private lastDrawAt = -Infinity;
  private lastTenth = -1;
  private drawn = false;

  constructor(
    private readonly out: Output,
    private readonly label: string,
    private readonly now: () => number = () => performance.now(),
  ) {}

  private get terminal(): boolean {
    return this.out.isTTY === true;
  }

  start(total: number | undefined, resumedFrom: number): void {
    this.total = total;
    this.received = resumedFrom;
    this.samples = [[this.now(), resumedFrom]];
    this.lastTenth = total ? Math.floor((resumedFrom / total) * 10) : -1;
    if (!this.terminal) this.out.write(`${this.label}: ${total === undefined ? "size unknown" : formatBytes(total)}${resumedFrom > 0 ? `, resuming at ${formatBytes(resumedFrom)}` : ""}\n`);
  }

  update(received: number): void {
    this.received = received;
    const at = this.now();
    this.samples.push([at, received]);
    while (this.samples.length > 2 && at - this.samples[0]![0] > RATE_WINDOW_MS) this.samples.shift();
    if (this.terminal) {
      if (at - this.lastDrawAt < 100 && received !== this.total) return;
      this.lastDrawAt = at;
      this.drawn = true;
      this.out.write(`\r${this.line(at)}\u001b[K`);
      return;
    }
    if (this.total) {
      const tenth = Math.floor((received / this.total) * 10);
      if (tenth <= this.lastTenth) return;
      this.lastTenth = tenth;
    } else {
      if (at - this.lastDrawAt < 10_000) return;
      this.lastDrawAt = at;
    }
    this.out.write(`  ${this.figures(at)}\n`);
  }

  /** Ends the bar's line, so what follows starts on a line of its own. */
  finish(): void {
    if (this.terminal && this.drawn) this.out.write(`\r${this.line(this.now())}\u001b[K\n`);
    this.drawn = false;
  }

  private line(at: number): string {
    const width = 24;
    const fraction = this.total ? Math.min(1, this.received / this.total) : undefined;
    const bar = fraction === undefined ? "" : `[${"#".repeat(Math.round(fraction * width)).padEnd(width, ".")}] `;
    const text = `${this.label} ${bar}${this.figures(at)}`;
    // A pseudo-terminal may report no width at all (0).
    const columns = this.out.columns || 100;
    return text.length > columns ? text.slice(text.length - columns) : text;
  }

  private figures(at: number): string {
    const [since, bytesThen] = this.samples[0] ?? [at, this.received];
    // Too short a span says nothing yet (the first chunk arrives all at once).
    const rate = at - since >= 500 ? ((this.received - bytesThen) * 1000) / (at - since) : undefined;
    const size = this.total === undefined ? formatBytes(this.received) : `${formatBytes(this.received)} / ${formatBytes(this.total)}`;
    const percent = this.total ? `${Math.floor((this.received / this.total) * 100)}% `.padStart(5) : "";
    const speed = rate === undefined ? "" : `  ${formatBytes(rate)}/s`;
    const left = this.total === undefined || rate === undefined || rate <= 0 ? "" : `  ETA ${formatDuration((this.total - this.received) / rate)}`;
    return `${percent} ${size}${speed}${left}`.trim();
  }
}

export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
