import pino, { type DestinationStream, type Logger } from "pino";

export interface LoggerOptions {
  /** `debug` logs each routing decision; default `info`. */
  level?: string;
  /** Default: stderr, written asynchronously (flush before exit). */
  destination?: DestinationStream;
}

/**
 * Structured JSON logs. Prompts and answers are never logged; every message that may carry upstream
 * text is redacted by the caller with the project's secrets before it gets here.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  let destination = options.destination;
  if (destination === undefined) {
    // Lines are batched into 4 KB writes and flushed at least every quarter second, so a quiet server's
    // last lines are not held back. One write per line costs about a tenth of a request's CPU on this
    // path; the usage ledger, not the log, is the record that survives a killed process.
    const stderr = pino.destination({ dest: 2, sync: false, minLength: 4096 });
    setInterval(() => stderr.flush(), 250).unref();
    destination = stderr;
  }
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
