import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { embeddingsOf, type ChatRun } from "../index.js";
import { decodeEmbeddingsBody, toEmbeddingList } from "../wires/openai-embeddings/index.js";
import { answerHeaders, callsOf } from "./answer-report.js";
import { chatTarget, type ChatScope } from "./chat-target.js";
import type { AnswerFigures, GatewayMetrics } from "./metrics.js";
import type { ProjectRegistry } from "./project-registry.js";
import { admitRequest } from "./key-gate.js";
import { abortOnClientGone, contextOf } from "./request-context.js";
import type { Tracing } from "../telemetry/index.js";
import { embeddingsSpan, spanOutcome } from "./trace-request.js";

const JSON_TYPE = "application/json; charset=utf-8";

/**
 * `POST /v1/embeddings`: decoded, resolved and authorised like a chat, then run by the runtime through
 * the embeddings model's fallback chain; the vectors go back in OpenAI's list shape. Errors are written
 * by the caller in OpenAI's shape.
 */
export function serveEmbeddings(registry: ProjectRegistry, logger: Logger, metrics: GatewayMetrics, tracing?: Tracing) {
  return async function embeddings(scope: ChatScope, req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const ctx = contextOf(req);
    const decoded = decodeEmbeddingsBody(body);
    const target = chatTarget(registry, scope, decoded.model, ctx);
    const { served } = target;
    ctx.secrets = served.secrets;
    const generation = served.acquire();
    const series = metrics.started(served.key!);
    const span = tracing === undefined ? undefined : embeddingsSpan(tracing, req, res, ctx, served.key!, target.model ?? generation.runtime.project.defaultModel);
    let run: ChatRun | undefined;
    let answer: AnswerFigures | undefined;
    let failure: unknown;
    try {
      const runtime = generation.runtime;
      ctx.secrets = runtime.project.secrets;
      const signal = abortOnClientGone(res, ctx);
      const model = runtime.model(target.model).name;
      const keyFields = await admitRequest(ctx.key, runtime, model);
      run = await runtime.embed({
        model,
        ...keyFields,
        inputs: decoded.inputs,
        ...(decoded.dimensions === undefined ? {} : { dimensions: decoded.dimensions }),
        requestId: ctx.id,
        signal,
        ...(span === undefined ? {} : { trace: span }),
      });
      ctx.run = run;
      const { vectors, usage } = embeddingsOf(await run.collect());
      answer = { ok: true, waitedMs: 0, firstAt: undefined, chars: 0, usage };
      const payload = toEmbeddingList(vectors, usage, target.prefix + (run.servedBy ?? run.requestedModel), decoded);
      res.writeHead(200, { "content-type": JSON_TYPE, "content-length": Buffer.byteLength(payload), ...answerHeaders(run, ctx, 0) });
      res.end(payload);
      if (logger.isLevelEnabled("info")) {
        logger.info(
          { req: ctx.id, project: served.key, wire: "openai-embeddings", model: run.requestedModel, served_by: run.servedBy, provider: run.provider, inputs: decoded.inputs.length, status: 200, attempts: callsOf(run) },
          "embeddings completed",
        );
      }
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      served.release(generation);
      span?.settle(spanOutcome(run, answer?.usage, undefined, failure));
      // Counted as a whole (non-streamed) request of the model, tokens and cost included.
      const body = { model: decoded.model, stream: false, request: { messages: [] }, options: undefined };
      metrics.ended(series, generation.runtime, ctx, body, target.model, run, answer, failure);
      if (run !== undefined) served.health.record(run.attempts, ctx.secrets);
    }
  };
}
