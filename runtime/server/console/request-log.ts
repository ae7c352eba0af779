import { redactSecrets, textOf, type ChatMessage, type ChatRun, type Runtime } from "../../index.js";
import { costOf, modelPrice } from "../../usage/index.js";
import type { Answer } from "../answer-report.js";
import { mapError } from "../error-response.js";
import { outcomeOf } from "../metrics.js";
import type { RequestContext } from "../request-context.js";

/**
 * What the chat pipeline leaves of a finished request: references only, taken as they are. Nothing is
 * copied or serialised until someone reads the log or watches the events stream.
 */
export interface FinishedRequest {
  ctx: RequestContext;
  /** `Date.now()` when it ended. */
  at: number;
  latencyMs: number;
  project: string;
  runtime: Runtime;
  wire: string;
  stream: boolean;
  /** The model the request named, resolved (a router's name stays a router's). */
  model: string | undefined;
  run: ChatRun | undefined;
  answer: Answer | undefined;
  failure: unknown;
  /** Set only for a project with `server.console.record_bodies`. */
  messages: readonly ChatMessage[] | undefined;
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
  const { ctx, run, answer, failure } = request;
  const secrets = request.runtime.project.secrets;
  const mask = (text: string) => redactSecrets(text, secrets);
  const error = failure ?? (answer?.ok === false ? ctx.failure : undefined);
  const mapped = error === undefined ? undefined : mapError(error, secrets);
  const status = ctx.clientGone === true ? 499 : mapped !== undefined && answer === undefined ? mapped.status : 200;
  const usage = answer?.usage ?? run?.usage;
  const entry: RequestEntry = {
    id: ctx.id,
    at: new Date(request.at).toISOString(),
    project: request.project,
    wire: request.wire,
    stream: request.stream,
    model: run?.requestedModel ?? request.model ?? null,
    served_by: run?.servedBy ?? null,
    provider: run?.provider ?? null,
    status,
    outcome: outcomeOf(ctx, answer, failure),
    error: mapped?.message ?? null,
    attempts: (run?.attempts ?? []).map((a) => ({
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
    ttft_ms: run?.ttftMs === undefined ? null : round(run.ttftMs),
    tokens: usage === undefined ? null : { input: usage.inputTokens, output: usage.outputTokens, estimated: usage.estimated === true },
    cost: costFor(request, usage),
    tool_calls: (answer?.toolCalls ?? []).map((c) => ({ name: c.name, arguments: mask(c.arguments) })),
    tool_runs: (answer?.fold.toolRuns ?? []).map((t) => ({ name: t.name, ms: round(t.ms), error: t.isError })),
  };
  if (request.messages !== undefined) {
    entry.body = { messages: request.messages.map((m) => ({ role: m.role, content: mask(textOf(m.content)) })), answer: mask(answer?.text ?? "") };
  }
  return entry;
}

function costFor(request: FinishedRequest, usage: { inputTokens: number; outputTokens: number } | undefined): number | null {
  const served = request.run?.servedBy;
  if (served === undefined || usage === undefined) return null;
  const model = request.runtime.project.models.get(served);
  const price = model === undefined ? undefined : modelPrice(model);
  return price === undefined ? null : costOf(price, usage);
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
