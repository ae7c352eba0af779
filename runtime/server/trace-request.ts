import type { IncomingMessage, ServerResponse } from "node:http";
import type { ChatRun, Usage } from "../index.js";
import type { RequestSpan, RequestSpanOutcome, Tracing } from "../telemetry/index.js";
import type { DecodedChat } from "../wires/chat-wire.js";
import { callsOf } from "./answer-report.js";
import type { RequestContext } from "./request-context.js";

/** The span of a chat request of any dialect, once its project and model are known. */
export function chatSpan(tracing: Tracing, req: IncomingMessage, res: ServerResponse, ctx: RequestContext, project: string, model: string, decoded: DecodedChat): RequestSpan {
  const parameters = decoded.request.parameters;
  return tracing.request(req, res, {
    operation: "chat",
    model,
    project,
    wire: ctx.wire?.name ?? "openai-chat",
    requestId: ctx.id,
    stream: decoded.stream,
    temperature: parameters?.temperature,
    maxTokens: parameters?.max_tokens,
  });
}

/** The span of an embeddings request. */
export function embeddingsSpan(tracing: Tracing, req: IncomingMessage, res: ServerResponse, ctx: RequestContext, project: string, model: string): RequestSpan {
  return tracing.request(req, res, { operation: "embeddings", model, project, wire: "openai-embeddings", requestId: ctx.id, stream: false });
}

/** What the run says about how the request went. */
export function spanOutcome(run: ChatRun | undefined, usage: Usage | undefined, finishReason: string | undefined, error: unknown): RequestSpanOutcome {
  return {
    responseModel: run?.servedBy,
    provider: run?.provider,
    usage,
    finishReason,
    ...(run === undefined ? {} : { calls: callsOf(run), cache: run.cache }),
    error,
  };
}
