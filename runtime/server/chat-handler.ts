import type { Request, Response } from "express";
import type { Logger } from "pino";
import { LfError, redactSecrets, summarizeAttempts, toChatCompletion, type ChatMessage, type ChatRun, type FinishReason, type ToolCall, type Usage } from "../index.js";
import { ApiError } from "./api-error.js";
import { checkAccess, mayUse } from "./api-keys.js";
import { CompletionChunks, DONE, errorEvent } from "./completion-chunks.js";
import { errorBody } from "./error-response.js";
import type { GatewayMetrics } from "./metrics.js";
import { parseChatBody, type ParsedChatBody } from "./parse-chat-body.js";
import type { ProjectRegistry } from "./project-registry.js";
import { contextOf, type RequestContext } from "./request-context.js";
import type { ServedProject } from "./served-project.js";
import { checkSessionId } from "./session-store.js";

/** Which project and model a request is for, and how the answering model is named back. */
interface ChatTarget {
  served: ServedProject;
  model: string | undefined;
  /** Prefix for `model` in responses: `namespace/project/` on the project-less route. */
  prefix: string;
}

/** What a finished answer leaves for the session and the log. */
interface Answer {
  ok: boolean;
  text: string;
  toolCalls: ToolCall[];
  /** Waiting on tools and on a slow client: not time `lf` added. */
  waitedMs: number;
  /** `performance.now()` at the first text or tool call, and the answer's length, for the metrics. */
  firstAt: number | undefined;
  chars: number;
}

const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" } as const;
const JSON_TYPE = "application/json; charset=utf-8";

export type ChatScope = "project" | "global";

/**
 * `POST .../chat/completions`. The body is checked before any model is touched; the response's
 * headers are written only when the first part arrives, so a failure before any output is still an
 * HTTP error with its status, and `x-lf-model` names the model that really answered. After output has
 * started, a failure is an SSE error event and the stream ends.
 */
export function chatHandler(registry: ProjectRegistry, logger: Logger, scope: ChatScope, metrics: GatewayMetrics) {
  const resolve = scope === "project" ? projectTarget : globalTarget;
  return async function chatCompletions(req: Request, res: Response): Promise<void> {
    const ctx = contextOf(req);
    const body = parseChatBody(req.body);
    const target = resolve(registry, req, body, ctx);
    const { served } = target;
    ctx.secrets = served.secrets;
    const generation = served.acquire();
    const series = metrics.started(served.key!);
    let run: ChatRun | undefined;
    let answer: Answer | undefined;
    let failure: unknown;
    try {
      const runtime = generation.runtime;
      ctx.secrets = runtime.project.secrets;
      const model = runtime.model(target.model).name;
      const sessionId = sessionOf(req);
      const history = sessionId === undefined ? [] : await served.sessions.history(sessionId);
      const messages = history.length === 0 ? body.request.messages : [...history, ...body.request.messages];

      const controller = new AbortController();
      res.once("close", () => {
        if (res.writableFinished) return;
        ctx.clientGone = true;
        controller.abort();
      });
      run = await runtime.chat({
        ...body.request,
        model,
        messages,
        stream: body.stream,
        signal: controller.signal,
        requestId: ctx.id,
        ...(sessionId === undefined ? {} : { sessionId }),
      });
      ctx.run = run;
      const keep = sessionId !== undefined;
      answer = body.stream ? await stream(res, run, ctx, target.prefix, body.includeUsage, keep) : await complete(run);
      if (answer.ok && sessionId !== undefined) {
        const reply: ChatMessage = { role: "assistant", content: answer.text === "" && answer.toolCalls.length > 0 ? null : answer.text };
        if (answer.toolCalls.length > 0) reply.toolCalls = answer.toolCalls;
        await served.sessions.append(sessionId, served.key!, [...body.request.messages, reply]);
      }
      if (body.stream) {
        if (!res.writableEnded) res.end(answer.ok ? DONE : undefined);
      } else {
        finishJson(res, run, ctx, target.prefix, answer as CompletedAnswer);
      }
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      served.release(generation);
      metrics.ended(series, generation.runtime, ctx, body, target.model, run, answer, failure);
      if (run !== undefined) served.health.record(run.attempts, ctx.secrets);
      if (answer !== undefined && run !== undefined) logAnswer(logger, ctx, served, run, answer, body.stream);
    }
  };
}

function projectTarget(registry: ProjectRegistry, req: Request, body: ParsedChatBody, ctx: RequestContext): ChatTarget {
  const key = `${req.params.namespace}/${req.params.project}`;
  const served = registry.get(key);
  if (served === undefined) throw unknownProject(registry, key, ctx);
  checkAccess(ctx.key, key);
  return { served, model: body.model, prefix: "" };
}

/** `namespace/project/model`, `namespace/project` (its default), or a bare model when one project is served. */
function globalTarget(registry: ProjectRegistry, _req: Request, body: ParsedChatBody, ctx: RequestContext): ChatTarget {
  const name = body.model;
  const single = registry.single();
  if (name === undefined || !name.includes("/")) {
    if (single === undefined) {
      throw new ApiError(400, `Several projects are served: name the model as namespace/project/model. Models: ${visibleModels(registry, ctx).join(", ")}.`, "invalid_request_error", "model_required", "model");
    }
    if (single.key !== undefined) checkAccess(ctx.key, single.key);
    return { served: single, model: name, prefix: "" };
  }
  const parts = name.split("/");
  if (parts.length > 3) throw modelNotFound(registry, name, ctx);
  const key = `${parts[0]}/${parts[1]}`;
  const served = registry.get(key);
  if (served === undefined) throw modelNotFound(registry, name, ctx);
  checkAccess(ctx.key, key);
  return { served, model: parts[2] === "" ? undefined : parts[2], prefix: `${key}/` };
}

function sessionOf(req: Request): string | undefined {
  const id = req.headers["x-session-id"];
  if (typeof id !== "string" || id === "") return undefined;
  const off = req.headers["x-no-session"];
  if (typeof off === "string" && (off.toLowerCase() === "true" || off === "1")) return undefined;
  return checkSessionId(id);
}

async function stream(res: Response, run: ChatRun, ctx: RequestContext, prefix: string, includeUsage: boolean, keep: boolean): Promise<Answer> {
  const answer: Answer = { ok: true, text: "", toolCalls: [], waitedMs: 0, firstAt: undefined, chars: 0 };
  let chunks: CompletionChunks | undefined;
  let finished = false;
  try {
    for await (const part of run) {
      chunks ??= startStream(res, run, ctx, prefix, answer.waitedMs);
      let line: string | undefined;
      switch (part.type) {
        case "text-delta":
          if (keep) answer.text += part.text;
          answer.chars += part.text.length;
          answer.firstAt ??= performance.now();
          line = chunks.text(part.text);
          break;
        case "tool-call":
          answer.toolCalls.push(part.toolCall);
          answer.firstAt ??= performance.now();
          line = chunks.toolCall(part.toolCall);
          break;
        case "tool-result":
          answer.waitedMs += part.durationMs;
          break;
        case "finish":
          if (!finished) line = chunks.finish(part.finishReason);
          finished = true;
          break;
        case "error":
          throw part.error;
        default:
          break;
      }
      if (line !== undefined && !res.write(line)) answer.waitedMs += await drained(res);
    }
  } catch (error) {
    if (chunks === undefined) throw error;
    answer.ok = false;
    // A half-closed client socket would otherwise stay open until the server shuts down.
    if (ctx.clientGone) res.destroy();
    else res.end(errorEvent(errorBody(error, ctx.secrets)));
    ctx.failure = error;
    return answer;
  }
  chunks ??= startStream(res, run, ctx, prefix, answer.waitedMs);
  if (!finished) res.write(chunks.finish("stop"));
  if (includeUsage) res.write(chunks.usage(run.usage));
  return answer;
}

function startStream(res: Response, run: ChatRun, ctx: RequestContext, prefix: string, waitedMs: number): CompletionChunks {
  res.writeHead(200, { ...SSE_HEADERS, ...answerHeaders(run, ctx, waitedMs) });
  return new CompletionChunks(`chatcmpl-${ctx.id}`, Math.floor(Date.now() / 1000), prefix + (run.servedBy ?? run.requestedModel));
}

interface CompletedAnswer extends Answer {
  usage: Usage | undefined;
  finishReason: FinishReason;
}

/** The whole answer, taken at once from the run. */
async function complete(run: ChatRun): Promise<CompletedAnswer> {
  const answer: CompletedAnswer = { ok: true, text: "", toolCalls: [], waitedMs: 0, firstAt: undefined, chars: 0, usage: undefined, finishReason: "other" };
  for (const part of await run.collect()) {
    switch (part.type) {
      case "text-delta":
        answer.text += part.text;
        answer.chars += part.text.length;
        answer.firstAt ??= performance.now();
        break;
      case "tool-call":
        answer.toolCalls.push(part.toolCall);
        answer.firstAt ??= performance.now();
        break;
      case "tool-result":
        answer.waitedMs += part.durationMs;
        break;
      case "usage":
        answer.usage = part.usage;
        break;
      case "finish":
        answer.finishReason = part.finishReason;
        break;
      case "error":
        throw part.error;
      default:
        break;
    }
  }
  return answer;
}

function finishJson(res: Response, run: ChatRun, ctx: RequestContext, prefix: string, answer: CompletedAnswer): void {
  const completion = toChatCompletion(
    { text: answer.text, toolCalls: answer.toolCalls, usage: answer.usage ?? run.usage, finishReason: answer.finishReason },
    { id: `chatcmpl-${ctx.id}`, model: prefix + (run.servedBy ?? run.requestedModel), created: Math.floor(Date.now() / 1000) },
  );
  const payload = JSON.stringify(completion);
  res.writeHead(200, { "content-type": JSON_TYPE, "content-length": Buffer.byteLength(payload), ...answerHeaders(run, ctx, answer.waitedMs) });
  res.end(payload);
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
  return headers;
}

function overheadMs(ctx: RequestContext, run: ChatRun, waitedMs: number): number {
  return Math.max(0, performance.now() - ctx.startedAt - ctx.clientWaitMs - run.upstreamMs - waitedMs);
}

/** Calls made, the one still streaming included (it is recorded only once it ends). */
function callsOf(run: ChatRun): number {
  let calls = 0;
  let servedRecorded = false;
  for (const attempt of run.attempts) {
    if (attempt.outcome !== "skipped") calls++;
    if (attempt.outcome === "success" && attempt.model === run.servedBy) servedRecorded = true;
  }
  return run.servedBy !== undefined && !servedRecorded ? calls + 1 : calls;
}

function drained(res: Response): Promise<number> {
  const since = performance.now();
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve(performance.now() - since);
    };
    res.once("drain", done);
    res.once("close", done);
  });
}

function logAnswer(logger: Logger, ctx: RequestContext, served: ServedProject, run: ChatRun, answer: Answer, streamed: boolean): void {
  if (logger.isLevelEnabled("debug")) {
    logger.debug({ req: ctx.id, project: served.key, model: run.requestedModel }, redactSecrets(`routing: ${summarizeAttempts(run.attempts)}`, ctx.secrets));
  }
  if (!logger.isLevelEnabled("info")) return;
  const aborted = !answer.ok && ctx.clientGone;
  logger.info(
    {
      req: ctx.id,
      project: served.key,
      model: run.requestedModel,
      served_by: run.servedBy,
      provider: run.provider,
      stream: streamed,
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

export function unknownProject(registry: ProjectRegistry, key: string, ctx: RequestContext): ApiError {
  const known = registry.keys().filter((k) => mayUse(ctx.key, k));
  return new ApiError(404, `No project ${key}. Projects: ${known.join(", ") || "none"}.`, "not_found_error", "project_not_found", null);
}

function modelNotFound(registry: ProjectRegistry, name: string, ctx: RequestContext): ApiError {
  return new ApiError(404, `No model "${name}". Models: ${visibleModels(registry, ctx).join(", ")}.`, "not_found_error", "model_not_found", "model");
}

function visibleModels(registry: ProjectRegistry, ctx: RequestContext): string[] {
  const names: string[] = [];
  for (const served of registry.loaded()) {
    if (!mayUse(ctx.key, served.key!)) continue;
    for (const model of served.project!.models.keys()) names.push(`${served.key}/${model}`);
  }
  return names;
}
