import { redactSecrets, textOf, type ChatMessage, type ChatRun, type ResolvedProject, type RouteAttempt, type ToolCall, type Usage } from "../../index.js";
import { costOf, modelPrice } from "../../usage/index.js";
import type { Answer } from "../answer-report.js";
import { mapError } from "../error-response.js";
import { outcomeOf } from "../metrics.js";
import type { RequestContext } from "../request-context.js";

/**
 * What the ring keeps of a finished request: the figures, read off the run and the answer as they are
 * (the run itself is not kept: it holds the request's body). Nothing is copied or serialised until
 * someone reads the log or watches the events stream.
 */
export interface FinishedRequest {
  id: string;
  /** `Date.now()` when it ended. */
  at: number;
  latencyMs: number;
  project: string;
  config: ResolvedProject;
  wire: string;
  stream: boolean;
  /** The model the request named, resolved (a router's name stays a router's). */
  model: string | undefined;
  servedBy: string | undefined;
  provider: string | undefined;
  attempts: readonly RouteAttempt[];
  usage: Usage | undefined;
  ttftMs: number | undefined;
  outcome: string;
  /** What ended it, if anything; `answered` false when that happened before any output. */
  error: unknown;
  answered: boolean;
  clientGone: boolean;
  toolCalls: readonly ToolCall[];
  toolRuns: ReadonlyArray<{ name: string; ms: number; isError: boolean }>;
  /** Set only for a project with `server.console.record_bodies`. */
  body: { messages: readonly ChatMessage[]; answer: string } | undefined;
}

/** The ring's record of a request, read off what the pipeline holds when it ends. */
export function finishedRequest(
  ctx: RequestContext,
  config: ResolvedProject,
  wire: string,
  stream: boolean,
  model: string | undefined,
  run: ChatRun | undefined,
  answer: Answer | undefined,
  failure: unknown,
  messages: readonly ChatMessage[] | undefined,
): FinishedRequest {
  return {
    id: ctx.id,
    at: Date.now(),
    latencyMs: performance.now() - ctx.startedAt,
    project: config.key,
    config,
    wire,
    stream,
    model: run?.requestedModel ?? model,
    servedBy: run?.servedBy,
    provider: run?.provider,
    attempts: run?.attempts ?? [],
    usage: answer?.usage ?? run?.usage,
    ttftMs: run?.ttftMs,
    outcome: outcomeOf(ctx, answer, failure),
    error: failure ?? (answer?.ok === false ? ctx.failure : undefined),
    answered: answer !== undefined,
    clientGone: ctx.clientGone === true,
    toolCalls: answer?.toolCalls ?? [],
    toolRuns: answer?.fold.toolRuns ?? [],
    body: messages === undefined ? undefined : { messages, answer: answer?.text ?? "" },
  };
}

/** One request as `GET /v1/requests` and the `request` event show it. */
export interface RequestEntry {
  id: string;
  at: string;
  project: string;
  wire: string;
  stream: boolean;
  model: string | null;
  served_by: string | null;
  provider: string | null;
  status: number;
  outcome: string;
  error: string | null;
  attempts: Array<{ model: string; outcome: string; attempt: number | null; code: string | null; status: number | null; ms: number; skipped: string | null; detail: string | null }>;
  latency_ms: number;
  ttft_ms: number | null;
  tokens: { input: number; output: number; estimated: boolean } | null;
  cost: number | null;
  tool_calls: Array<{ name: string; arguments: string }>;
  tool_runs: Array<{ name: string; ms: number; error: boolean }>;
  body?: { messages: Array<{ role: string; content: string }>; answer: string };
}

const CAPACITY = 500;

/** The last few hundred requests, oldest overwritten first. A request costs one array store. */
export class RequestLog {
  private readonly ring: Array<FinishedRequest | undefined> = new Array(CAPACITY);
  private next = 0;
  private readonly entries = new WeakMap<FinishedRequest, RequestEntry>();

  push(request: FinishedRequest): void {
    this.ring[this.next] = request;
    this.next = (this.next + 1) % CAPACITY;
  }

  /** Newest first, those `visible` lets through, at most `limit`. */
  list(visible: (project: string) => boolean, limit: number): RequestEntry[] {
    const out: RequestEntry[] = [];
    for (let i = 1; i <= CAPACITY && out.length < limit; i++) {
      const request = this.ring[(this.next - i + CAPACITY) % CAPACITY];
      if (request === undefined) break;
      if (visible(request.project)) out.push(this.entry(request));
    }
    return out;
  }

  /** The request as the API shows it, made once and kept while the request is in the ring. */
  entry(request: FinishedRequest): RequestEntry {
    let entry = this.entries.get(request);
    if (entry === undefined) {
      entry = describe(request);
      this.entries.set(request, entry);
    }
    return entry;
  }
}

function describe(request: FinishedRequest): RequestEntry {
  const secrets = request.config.secrets;
  const mask = (text: string) => redactSecrets(text, secrets);
  const mapped = request.error === undefined ? undefined : mapError(request.error, secrets);
  const status = request.clientGone ? 499 : mapped !== undefined && !request.answered ? mapped.status : 200;
  const usage = request.usage;
  const entry: RequestEntry = {
    id: request.id,
    at: new Date(request.at).toISOString(),
    project: request.project,
    wire: request.wire,
    stream: request.stream,
    model: request.model ?? null,
    served_by: request.servedBy ?? null,
    provider: request.provider ?? null,
    status,
    outcome: request.outcome,
    error: mapped?.message ?? null,
    attempts: request.attempts.map((a) => ({
      model: a.model,
      outcome: a.outcome,
      attempt: a.attempt ?? null,
      code: a.code ?? null,
      status: a.status ?? null,
      ms: round(a.durationMs),
      skipped: a.skipped ?? null,
      detail: a.clientDetail ?? a.detail ? mask(a.clientDetail ?? a.detail!) : null,
    })),
    latency_ms: round(request.latencyMs),
    ttft_ms: request.ttftMs === undefined ? null : round(request.ttftMs),
    tokens: usage === undefined ? null : { input: usage.inputTokens, output: usage.outputTokens, estimated: usage.estimated === true },
    cost: costFor(request, usage),
    tool_calls: request.toolCalls.map((c) => ({ name: c.name, arguments: mask(c.arguments) })),
    tool_runs: request.toolRuns.map((t) => ({ name: t.name, ms: round(t.ms), error: t.isError })),
  };
  if (request.body !== undefined) {
    entry.body = { messages: request.body.messages.map((m) => ({ role: m.role, content: mask(textOf(m.content)) })), answer: mask(request.body.answer) };
  }
  return entry;
}

function costFor(request: FinishedRequest, usage: { inputTokens: number; outputTokens: number } | undefined): number | null {
  const served = request.servedBy;
  if (served === undefined || usage === undefined) return null;
  const model = request.config.models.get(served);
  const price = model === undefined ? undefined : modelPrice(model);
  return price === undefined ? null : costOf(price, usage);
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
