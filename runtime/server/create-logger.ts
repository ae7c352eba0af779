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
  const destination = options.destination ?? pino.destination({ dest: 2, sync: false });
  return pino(
    {
      level: options.level ?? "info",
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
