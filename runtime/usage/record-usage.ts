import type { StreamPart } from "../core/index.js";
import type { BudgetGuard } from "./budget-guard.js";
import { buildUsageRecord, type EndedRequest } from "./build-usage-record.js";
import type { Ledger } from "./ledger.js";
import type { UsageRecord } from "./usage-record.js";

/** Where a finished request is written: the ledger, and the budget counters. */
export interface UsageSinks {
  ledger?: Ledger | undefined;
  budget?: BudgetGuard | undefined;
}

/**
 * Records one ended request: a ledger row and its cost added to the budgets. Call it once per request,
 * whatever the outcome (the server and the CLI do, when the response ends).
 */
export async function recordUsage(sinks: UsageSinks, request: EndedRequest): Promise<UsageRecord> {
  const record = buildUsageRecord(request);
  // Journalled before the answer is complete (with the other rows of this turn); committed with those of
  // the next 100 ms.
  await sinks.ledger?.append(record);
  if (record.servedModel !== undefined && record.costUsd !== undefined) await sinks.budget?.record(record.servedModel, record.costUsd);
  return record;
}

export interface TrackOptions extends Omit<EndedRequest, "run" | "answerChars" | "startedAt" | "endedAt" | "error"> {
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
 * failed (a thrown error or an `error` part), or abandoned by a reader that stopped early. A plain
 * iterator rather than a generator: a part costs one promise on its way through.
 */
export function trackUsage(sinks: UsageSinks, options: TrackOptions): TrackedParts {
  return new TrackedParts(sinks, options);
}

export class TrackedParts implements AsyncIterableIterator<StreamPart> {
  private readonly startedAt: number;
  private inner: AsyncIterator<StreamPart> | undefined;
  private answerChars = 0;
  private error: unknown;
  private ended = false;

  constructor(
    private readonly sinks: UsageSinks,
    private readonly options: TrackOptions,
  ) {
    this.startedAt = options.startedAt ?? options.now();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<StreamPart> {
    return this;
  }

  async next(): Promise<IteratorResult<StreamPart, undefined>> {
    if (this.ended) return { done: true, value: undefined };
    this.inner ??= this.options.run[Symbol.asyncIterator]();
    let result: IteratorResult<StreamPart>;
    try {
      result = await this.inner.next();
    } catch (thrown) {
      this.error = thrown;
      await this.end();
      throw thrown;
    }
    if (result.done === true) {
      await this.end();
      return { done: true, value: undefined };
    }
    this.observe(result.value);
    return result;
  }

  /** The whole answer from `collect` (read instead of the parts), recorded once it is in or has failed. */
  async collect(collect: () => Promise<StreamPart[]>): Promise<StreamPart[]> {
    if (this.ended) throw new Error("This run has been read already.");
    let parts: StreamPart[];
    try {
      parts = await collect();
    } catch (thrown) {
      this.error = thrown;
      await this.end();
      throw thrown;
    }
    for (const part of parts) this.observe(part);
    await this.end();
    return parts;
  }

  private observe(part: StreamPart): void {
    if (part.type === "error") this.error ??= part.error;
    else if (part.type === "text-delta") this.answerChars += part.text.length;
    else if (part.type === "tool-call") this.answerChars += part.toolCall.name.length + part.toolCall.arguments.length;
  }

  /** The reader stopped early: the run is closed and recorded as abandoned. */
  async return(): Promise<IteratorResult<StreamPart, undefined>> {
    if (!this.ended) {
      this.error ??= Object.assign(new Error("The reader stopped before the answer ended."), { name: "AbortError" });
      try {
        await this.inner?.return?.();
      } finally {
        await this.end();
      }
    }
    return { done: true, value: undefined };
  }

  private async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;

    const options = this.options;
    try {
      const ended: EndedRequest = { project: options.project, run: options.run, messages: options.messages, answerChars: this.answerChars, startedAt: this.startedAt, endedAt: options.now() };
      if (options.requestedModel !== undefined) ended.requestedModel = options.requestedModel;
      if (options.sessionId !== undefined) ended.sessionId = options.sessionId;
      if (options.requestId !== undefined) ended.requestId = options.requestId;
      if (options.keyName !== undefined) ended.keyName = options.keyName;
      if (this.error !== undefined) ended.error = this.error;
      const record = await recordUsage(this.sinks, ended);
      options.onRecord?.(record);
    } catch (failure) {
      options.onError?.(failure);
    }
  }
}
