import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { AnswerFold, type ChatMessage, type ChatRun } from "../index.js";
import type { AnswerIdentity, ChatWire, DecodedChat, StreamEncoder } from "../wires/chat-wire.js";
import { Answer, answerHeaders, logAnswer } from "./answer-report.js";
import { cacheDirective } from "./cache-directive.js";
import { chatTarget, sessionOf, type ChatScope, type ChatTarget } from "./chat-target.js";
import { mapError } from "./error-response.js";
import type { ConsoleHub } from "./console/console-hub.js";
import { finishedRequest } from "./console/request-log.js";
import { admitRequest } from "./key-gate.js";
import type { GatewayMetrics } from "./metrics.js";
import type { ProjectRegistry } from "./project-registry.js";
import { abortOnClientGone, contextOf, type RequestContext } from "./request-context.js";
import type { Tracing } from "../telemetry/index.js";
import { chatSpan, spanOutcome } from "./trace-request.js";

const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" } as const;
const JSON_TYPE = "application/json; charset=utf-8";

/**
 * The one request pipeline, for every client dialect: the wire decodes the body into the runtime's
 * request; the project and model are resolved and the key checked once; the runtime routes it, falls
 * back and records it; the wire encodes the answer. The body is checked before any model is touched,
 * and the response's headers are written only when the first part arrives, so a failure before any
 * output is still an HTTP error with its status, and `x-lf-model` names the model that really answered.
 * After output has started, a failure is the wire's error event and the stream ends.
 */
export function serveChat(registry: ProjectRegistry, logger: Logger, metrics: GatewayMetrics, hub: ConsoleHub, tracing?: Tracing) {
  return async function chat(wire: ChatWire, scope: ChatScope, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const ctx = contextOf(req);
    ctx.wire = wire;
    const decoded = wire.decode(body);
    const target = chatTarget(registry, scope, decoded.model, ctx);
    const { served } = target;
    ctx.secrets = served.secrets;
    const generation = served.acquire();
    const series = metrics.started(served.key!);
    const span = tracing === undefined ? undefined : chatSpan(tracing, req, res, ctx, served.key!, target.model ?? generation.runtime.project.defaultModel, decoded);
    hub.started(served.key!, series.inflight);
    const runtime = generation.runtime;
    const recordBodies = runtime.project.server.console.recordBodies;
    let run: ChatRun | undefined;
    let answer: Answer | undefined;
    let failure: unknown;
    let messages: ChatMessage[] | undefined;
    try {
      ctx.secrets = runtime.project.secrets;
      const model = runtime.model(target.model).name;
      const keyFields = await admitRequest(ctx.key, runtime, model);
      const sessionId = sessionOf(req);
      const history = sessionId === undefined ? [] : await served.sessions.history(sessionId);
      messages = history.length === 0 ? decoded.request.messages : [...history, ...decoded.request.messages];

      const signal = abortOnClientGone(res, ctx);
      const cache = cacheDirective(req, body);
      run = await runtime.chat({
        ...decoded.request,
        model,
        messages,
        stream: decoded.stream,
        signal,
        requestId: ctx.id,
        ...(sessionId === undefined ? {} : { sessionId }),
        ...(cache === undefined ? {} : { cache }),
        ...keyFields,
        ...(span === undefined ? {} : { trace: span }),
      });
      ctx.run = run;
      const identity = (): AnswerIdentity => ({ id: wire.answerId(ctx.id), created: Math.floor(Date.now() / 1000), model: target.prefix + (run!.servedBy ?? run!.requestedModel) });
      const streamed = decoded.stream ? await streamAnswer(res, run, ctx, () => wire.stream(identity(), decoded.options), sessionId !== undefined || recordBodies) : undefined;
      const whole = streamed === undefined ? await collectAnswer(run) : undefined;
      answer = streamed?.answer ?? whole!;
      if (answer.ok && sessionId !== undefined) {
        const reply: ChatMessage = { role: "assistant", content: answer.text === "" && answer.toolCalls.length > 0 ? null : answer.text };
        if (answer.toolCalls.length > 0) reply.toolCalls = answer.toolCalls;
        // Before the answer ends: the client's next turn must find this one in the session.
        await served.sessions.append(sessionId, served.key!, [...decoded.request.messages, reply]);
      }
      if (streamed !== undefined) {
        if (answer.ok && !res.writableEnded) res.end(streamed.encoder.end(run.usage, answer.fold.finishReason));
      } else {
        writeWhole(res, run, ctx, wire, whole!, identity(), decoded);
      }
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      served.release(generation);
      span?.settle(spanOutcome(run, answer?.fold.usage ?? run?.usage, answer?.fold.finishReason, failure ?? ctx.failure));
      metrics.ended(series, runtime, ctx, decoded, target.model, run, answer, failure);
      if (run !== undefined) served.health.record(run.attempts, ctx.secrets);
      if (answer !== undefined && run !== undefined) logAnswer(logger, ctx, served.key, run, answer, decoded.stream, wire.name);
      // One object into a ring: what it says is worked out only if someone reads it.
      hub.finished(finishedRequest(ctx, runtime.project, wire.name, decoded.stream, target.model, run, answer, failure, recordBodies ? messages : undefined), series.inflight);
    }
  };
}

export type ServeChat = ReturnType<typeof serveChat>;

interface Streamed {
  answer: Answer;
  encoder: StreamEncoder;
}

/** Writes the run's parts as they come; the closing event is the caller's, once the session is kept. */
async function streamAnswer(res: ServerResponse, run: ChatRun, ctx: RequestContext, open: () => StreamEncoder, keep: boolean): Promise<Streamed> {
  const answer = new Answer(new AnswerFold(keep));
  let encoder: StreamEncoder | undefined;
  const start = (): StreamEncoder => {
    res.writeHead(200, { ...SSE_HEADERS, ...answerHeaders(run, ctx, answer.waitedMs) });
    return open();
  };
  try {
    for await (const part of run) {
      encoder ??= start();
      answer.fold.take(part);
      const line = encoder.part(part);
      if (line !== undefined && !res.write(line)) answer.drainMs += await drained(res);
    }
  } catch (error) {
    if (encoder === undefined) throw error;
    answer.ok = false;
    // A half-closed client socket would otherwise stay open until the server shuts down.
    if (ctx.clientGone) res.destroy();
    else res.end(encoder.error(mapError(error, ctx.secrets)));
    ctx.failure = error;
    return { answer, encoder };
  }
  return { answer, encoder: encoder ?? start() };
}

/** The whole answer, taken at once from the run. */
async function collectAnswer(run: ChatRun): Promise<Answer> {
  const answer = new Answer(new AnswerFold());
  for (const part of await run.collect()) answer.fold.take(part);
  return answer;
}

function writeWhole(res: ServerResponse, run: ChatRun, ctx: RequestContext, wire: ChatWire, answer: Answer, identity: AnswerIdentity, decoded: DecodedChat): void {
  const fold = answer.fold;
  const payload = wire.whole({ text: fold.text, toolCalls: fold.toolCalls, usage: fold.usage ?? run.usage, finishReason: fold.finishReason ?? "other" }, identity, decoded.options);
  res.writeHead(200, { "content-type": JSON_TYPE, "content-length": Buffer.byteLength(payload), ...answerHeaders(run, ctx, answer.waitedMs) });
  res.end(payload);
}

function drained(res: ServerResponse): Promise<number> {
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

export type { ChatTarget };
