import { LfError, isAbortError, textOf, type ChatMessage, type Usage } from "../core/index.js";
import type { ResolvedProject } from "../config/index.js";
import { estimateTokens, type RouteAttempt } from "../routing/index.js";
import { costOf, modelPrice } from "./model-pricing.js";
import type { UsageRecord } from "./usage-record.js";

/** Everything known about a request once it has ended, however it ended. */
export interface EndedRequest {
  project: ResolvedProject;
  /** What `Runtime.chat()` returned; absent when the request failed before any routing. */
  run?: {
    readonly requestedModel: string;
    readonly servedBy: string | undefined;
    readonly provider: string | undefined;
    readonly attempts: readonly RouteAttempt[];
    readonly usage: Usage | undefined;
    /** Milliseconds to the serving model's first output, as the executor measured it. */
    readonly ttftMs?: number | undefined;
    /** `hit`: answered from the response cache, at no cost. */
    readonly cache?: "hit" | "miss" | "bypass" | undefined;
  };
  /** The model the request named, for a request that failed before `chat()` returned. */
  requestedModel?: string;
  /** The conversation sent, for estimating input tokens when the provider reports none. */
  messages: readonly ChatMessage[];
  /** Characters of answer the client received (text and tool-call arguments). */
  answerChars: number;
  startedAt: number;
  endedAt: number;
  /** Why it failed: an `LfError`, an abort, or anything thrown; an `error` part counts too. */
  error?: unknown;
  sessionId?: string;
  requestId?: string;
  /** The API key's name, when the request came with a named key. */
  keyName?: string;
}

/** Turns an ended request into its ledger record: tokens (reported or estimated), cost, outcome. */
export function buildUsageRecord(request: EndedRequest): UsageRecord {
  const { project, run } = request;
  const served = run?.servedBy;
  const model = served === undefined ? undefined : project.models.get(served);
  const reported = run?.usage;
  const usage: Usage =
    reported ??
    (served === undefined
      ? { inputTokens: 0, outputTokens: 0 }
      : { inputTokens: estimateTokens(promptChars(request.messages)), outputTokens: estimateTokens(request.answerChars), estimated: true });
  const price = model === undefined ? undefined : modelPrice(model);
  const cost = served === undefined ? 0 : price === undefined ? undefined : costOf(price, usage);
  const hit = run?.cache === "hit";
  const record: UsageRecord = {
    at: request.startedAt,
    project: project.key,
    requestedModel: run?.requestedModel ?? request.requestedModel ?? project.defaultModel,
    servedModel: served,
    provider: run?.provider ?? model?.provider,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    estimated: usage.estimated === true,
    costUsd: hit ? 0 : cost,
    latencyMs: Math.max(0, request.endedAt - request.startedAt),
    ttftMs: request.run?.ttftMs,
    outcome: request.error === undefined ? "ok" : "error",
    errorCode: request.error === undefined ? undefined : errorCode(request.error),
    fallbackDepth: fallbackDepth(run?.attempts ?? [], served),
    sessionId: request.sessionId,
    requestId: request.requestId,
  };
  if (hit) {
    record.cacheHit = true;
    if (cost !== undefined) record.savedCostUsd = cost;
  }
  if (request.keyName !== undefined) record.keyName = request.keyName;
  return record;
}

function promptChars(messages: readonly ChatMessage[]): number {
  let chars = 0;
  for (const message of messages) chars += textOf(message.content).length;
  return chars;
}

/** Distinct models before the one that answered; when none answered, every model but the last. */
export function fallbackDepth(attempts: readonly RouteAttempt[], servedBy: string | undefined): number {
  const models: string[] = [];
  for (const attempt of attempts) if (!models.includes(attempt.model)) models.push(attempt.model);
  if (servedBy === undefined) return Math.max(0, models.length - 1);
  const index = models.indexOf(servedBy);
  return index === -1 ? models.length : index;
}

function errorCode(error: unknown): string {
  if (isAbortError(error)) return "aborted";
  return error instanceof LfError ? error.code : "internal";
}
