import pino, { type DestinationStream, type Logger } from "pino";

export interface LoggerOptions {
  /** `debug` logs each routing decision; default `info`. */
  level?: string;
  /** Default: stderr, each line written at once. */
  destination?: DestinationStream;
}

/**
 * Structured JSON logs. Prompts and answers are never logged; every message that may carry upstream
 * text is redacted by the caller with the project's secrets before it gets here.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  // Each line is written through at once (one write per line, a few µs): a line batched in memory would
  // die with a killed process, though the request it reports was answered.
  const destination = options.destination ?? pino.destination({ dest: 2, sync: true });
  return pino(
    {
      level: options.level ?? "info",
      base: null,
      timestamp: isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

let lastMs = Number.NaN;
let lastTime = "";

/** pino's ISO time, formatted once per millisecond: a busy server writes several lines in each. */
function isoTime(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}
