import type { StreamPart } from "../core/index.js";
import type { BudgetGuard } from "./budget-guard.js";
import { buildUsageRecord, type EndedRequest } from "./build-usage-record.js";
import type { UsageLedger } from "./usage-ledger.js";
import type { UsageRecord } from "./usage-record.js";

/** Where a finished request is written: the ledger, and the budget counters. */
export interface UsageSinks {
  ledger?: UsageLedger | undefined;
  budget?: BudgetGuard | undefined;
}

/**
 * Records one ended request: a ledger row and its cost added to the budgets. Call it once per request,
 * whatever the outcome (the server and the CLI do, when the response ends).
 */
export async function recordUsage(sinks: UsageSinks, request: EndedRequest): Promise<UsageRecord> {
  const record = buildUsageRecord(request);
  // Committed after this turn's responses are written, with the other rows of the turn.
  sinks.ledger?.append(record);
  if (record.servedModel !== undefined && record.costUsd !== undefined) await sinks.budget?.record(record.servedModel, record.costUsd);
  return record;
}

export interface TrackOptions extends Omit<EndedRequest, "run" | "answerChars" | "startedAt" | "firstOutputAt" | "endedAt" | "error"> {
  run: NonNullable<EndedRequest["run"]> & AsyncIterable<StreamPart>;
  now: () => number;
  /** When the request started; default: now. */
  startedAt?: number;
  /** A failure to record is reported here and never reaches the client. */
  onError?: (error: unknown) => void;
  onRecord?: (record: UsageRecord) => void;
}

/**
 * Passes a run's parts through unchanged and records the request when the stream ends: completed,
 * failed (a thrown error or an `error` part), or abandoned by a reader that stopped early.
 */
export async function* trackUsage(sinks: UsageSinks, options: TrackOptions): AsyncGenerator<StreamPart, void, undefined> {
  const { run, now, onError, onRecord, ...rest } = options;
  const startedAt = options.startedAt ?? now();
  let firstOutputAt: number | undefined;
  let answerChars = 0;
  let error: unknown;
  let completed = false;
  try {
    for await (const part of run) {
      if (part.type === "error") error ??= part.error;
      else if (part.type !== "usage" && part.type !== "finish") firstOutputAt ??= now();
      if (part.type === "text-delta") answerChars += part.text.length;
      if (part.type === "tool-call") answerChars += part.toolCall.name.length + part.toolCall.arguments.length;
      yield part;
    }
    completed = true;
  } catch (thrown) {
    error = thrown;
    throw thrown;
  } finally {
    if (!completed && error === undefined) error = Object.assign(new Error("The reader stopped before the answer ended."), { name: "AbortError" });
    try {
      const ended: EndedRequest = { ...rest, run, answerChars, startedAt, endedAt: now() };
      if (firstOutputAt !== undefined) ended.firstOutputAt = firstOutputAt;
      if (error !== undefined) ended.error = error;
      const record = await recordUsage(sinks, ended);
      onRecord?.(record);
    } catch (failure) {
      onError?.(failure);
    }
  }
}
