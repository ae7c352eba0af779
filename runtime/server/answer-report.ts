import type { Logger } from "pino";
import { LfError, redactSecrets, summarizeAttempts, type AnswerFold, type ChatRun, type ToolCall, type Usage } from "../index.js";
import type { RequestContext } from "./request-context.js";

/** What a finished answer leaves for the session, the metrics and the log: its fold, and how it ended. */
export class Answer {
  ok = true;
  /** Time waiting for a slow client to take the stream. */
  drainMs = 0;

  constructor(readonly fold: AnswerFold) {}

  get text(): string {
    return this.fold.text;
  }

  get toolCalls(): ToolCall[] {
    return this.fold.toolCalls;
  }

  get chars(): number {
    return this.fold.chars;
  }

  get firstAt(): number | undefined {
    return this.fold.firstAt;
  }

  get usage(): Usage | undefined {
    return this.fold.usage;
  }

  /** Waiting on tools and on a slow client: not time `lf` added. */
  get waitedMs(): number {
    return this.fold.toolMs + this.drainMs;
  }
}

/** `x-lf-*`: who answered, after how many calls, and the time `lf` itself added so far. */
export function answerHeaders(run: ChatRun, ctx: RequestContext, waitedMs: number): Record<string, string> {
  const headers: Record<string, string> = {
    "x-request-id": ctx.id,
    "x-lf-model": run.servedBy ?? run.requestedModel,
    "x-lf-provider": run.provider ?? "none",
    "x-lf-attempts": String(callsOf(run)),
    "x-lf-overhead-ms": overheadMs(ctx, run, waitedMs).toFixed(3),
  };
  // The answer came without the tools of these servers (they could not be used): the client is told.
  if (run.toolsMissing.length > 0) headers["x-lf-tools-missing"] = run.toolsMissing.join(", ");
  if (run.cache !== undefined) headers["x-lf-cache"] = run.cache;
  return headers;
}

function overheadMs(ctx: RequestContext, run: ChatRun, waitedMs: number): number {
  return Math.max(0, performance.now() - ctx.startedAt - ctx.clientWaitMs - run.upstreamMs - waitedMs);
}

/** Calls made, the one still streaming included (it is recorded only once it ends). */
export function callsOf(run: ChatRun): number {
  if (run.cache === "hit") return 0;
  let calls = 0;
  let servedRecorded = false;
  for (const attempt of run.attempts) {
    if (attempt.outcome !== "skipped") calls++;
    if (attempt.outcome === "success" && attempt.model === run.servedBy) servedRecorded = true;
  }
  return run.servedBy !== undefined && !servedRecorded ? calls + 1 : calls;
}

/** One line per answered request (and the routing at debug level); prompts and answers are never logged. */
export function logAnswer(logger: Logger, ctx: RequestContext, project: string | undefined, run: ChatRun, answer: Answer, streamed: boolean, wire: string): void {
  if (logger.isLevelEnabled("debug")) {
    logger.debug({ req: ctx.id, project, model: run.requestedModel }, redactSecrets(`routing: ${summarizeAttempts(run.attempts)}`, ctx.secrets));
  }
  if (!logger.isLevelEnabled("info")) return;
  const aborted = !answer.ok && ctx.clientGone;
  logger.info(
    {
      req: ctx.id,
      project,
      wire,
      model: run.requestedModel,
      served_by: run.servedBy,
      provider: run.provider,
      stream: streamed,
      ...(run.cache === undefined ? {} : { cache: run.cache }),
      status: 200,
      attempts: callsOf(run),
      ms: round(performance.now() - ctx.startedAt),
      upstream_ms: round(run.upstreamMs),
      overhead_ms: round(overheadMs(ctx, run, answer.waitedMs)),
      ...(answer.ok
        ? {}
        : {
            outcome: aborted ? "client_closed" : "error_event",
            code: ctx.failure instanceof LfError ? ctx.failure.code : "internal",
            ...(ctx.failure instanceof Error ? { detail: redactSecrets(ctx.failure.message, ctx.secrets) } : {}),
          }),
    },
    answer.ok ? "chat completed" : aborted ? "client closed the stream" : "stream ended with an error",
  );
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
