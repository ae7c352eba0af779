import type { IncomingMessage, ServerResponse } from "node:http";
import { SpanKind, SpanStatusCode, TraceFlags, trace, type Attributes, type Context, type Span, type Tracer } from "@opentelemetry/api";
import { ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_URL_PATH } from "@opentelemetry/semantic-conventions";
import { LfError, publicMessageOf, type Usage } from "../core/index.js";
import type { AttemptSpan, ErrorClass, RoutableModel, RouteAttempt } from "../routing/index.js";
import { GEN_AI, LF } from "./gen-ai-attributes.js";
import type { RequestSpan, RequestSpanOutcome, RequestSpanStart } from "./tracing.js";

/**
 * `{operation} {model}`, kind SERVER, a child of the client's trace. Each call to a model is a CLIENT
 * child, and each tool call a child of the call that asked for it. The span ends when the response
 * closes, so the status written by the error handler is the one recorded.
 */
export class OtelRequestSpan implements RequestSpan {
  private readonly span: Span;
  private readonly context: Context;
  private outcome: RequestSpanOutcome = {};

  constructor(
    private readonly tracer: Tracer,
    parent: Context,
    req: IncomingMessage,
    res: ServerResponse,
    private readonly start: RequestSpanStart,
  ) {
    const attributes: Attributes = {
      [GEN_AI.operationName]: start.operation,
      [GEN_AI.requestModel]: start.model,
      [LF.project]: start.project,
      [LF.requestId]: start.requestId,
      [LF.wire]: start.wire,
      [LF.stream]: start.stream,
      [ATTR_HTTP_REQUEST_METHOD]: req.method ?? "POST",
      [ATTR_URL_PATH]: (req.url ?? "").split("?", 1)[0]!,
    };
    if (start.temperature !== undefined) attributes[GEN_AI.requestTemperature] = start.temperature;
    if (start.maxTokens !== undefined) attributes[GEN_AI.requestMaxTokens] = start.maxTokens;
    this.span = tracer.startSpan(`${start.operation} ${start.model}`, { kind: SpanKind.SERVER, attributes }, parent);
    this.context = trace.setSpan(parent, this.span);
    res.once("close", () => this.end(res));
  }

  settle(outcome: RequestSpanOutcome): void {
    this.outcome = outcome;
  }

  attempt(model: RoutableModel, call: number): AttemptSpan {
    const modelId = model.adapter.modelId;
    const provider = model.adapter.provider;
    const span = this.tracer.startSpan(
      `${this.start.operation} ${modelId}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          [GEN_AI.operationName]: this.start.operation,
          [GEN_AI.requestModel]: modelId,
          [GEN_AI.providerName]: provider,
          [GEN_AI.system]: provider,
          [LF.model]: model.name,
          [LF.attempt]: call,
        },
      },
      this.context,
    );
    return new OtelAttemptSpan(this.tracer, span, this.context, modelId);
  }

  private end(res: ServerResponse): void {
    const { span, outcome } = this;
    const attributes: Attributes = {};
    if (outcome.responseModel !== undefined) attributes[GEN_AI.responseModel] = outcome.responseModel;
    if (outcome.provider !== undefined) {
      attributes[GEN_AI.providerName] = outcome.provider;
      attributes[GEN_AI.system] = outcome.provider;
    }
    addUsage(attributes, outcome.usage);
    if (outcome.finishReason !== undefined) attributes[GEN_AI.responseFinishReasons] = [outcome.finishReason];
    if (outcome.calls !== undefined) attributes[LF.calls] = outcome.calls;
    if (outcome.cache !== undefined) attributes[LF.cache] = outcome.cache;
    // No status line went out when the client left first.
    if (res.headersSent) attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = res.statusCode;
    const error = outcome.error ?? (res.headersSent ? undefined : new LfError("aborted", "The client closed the request."));
    if (error !== undefined) {
      attributes[ATTR_ERROR_TYPE] = errorType(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: publicMessageOf(error) });
    }
    span.setAttributes(attributes);
    span.end();
  }
}

class OtelAttemptSpan implements AttemptSpan {
  /** Formed once per call from the span's own context (W3C Trace Context, version 00). */
  readonly traceparent: string;
  /** Made on the first tool call: most calls run none. */
  private context: Context | undefined;

  constructor(
    private readonly tracer: Tracer,
    private readonly span: Span,
    private readonly parent: Context,
    private readonly modelId: string,
  ) {
    const { traceId, spanId, traceFlags } = span.spanContext();
    this.traceparent = `00-${traceId}-${spanId}-0${(traceFlags & TraceFlags.SAMPLED).toString(16)}`;
  }

  tool(name: string, callId: string): (isError: boolean) => void {
    this.context ??= trace.setSpan(this.parent, this.span);
    const span = this.tracer.startSpan(
      `execute_tool ${name}`,
      { kind: SpanKind.INTERNAL, attributes: { [GEN_AI.operationName]: "execute_tool", [GEN_AI.toolName]: name, [GEN_AI.toolCallId]: callId, [GEN_AI.toolType]: "function" } },
      this.context,
    );
    return (isError) => {
      if (isError) {
        span.setAttribute(ATTR_ERROR_TYPE, "tool_error");
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    };
  }

  end(attempt: RouteAttempt, failure?: ErrorClass, usage?: Usage): void {
    const span = this.span;
    const attributes: Attributes = { [LF.outcome]: attempt.outcome };
    addUsage(attributes, usage);
    if (attempt.outcome === "success") attributes[GEN_AI.responseModel] = this.modelId;
    if (failure !== undefined) {
      attributes[ATTR_ERROR_TYPE] = failure.code;
      attributes[LF.failureAction] = failure.action;
      if (failure.status !== undefined) attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = failure.status;
      if (attempt.afterOutput === true) attributes[LF.afterOutput] = true;
      span.setStatus({ code: SpanStatusCode.ERROR, message: attempt.clientDetail ?? publicMessageOf(failure.error) });
    } else if (attempt.outcome === "aborted") {
      attributes[ATTR_ERROR_TYPE] = "aborted";
      span.setStatus({ code: SpanStatusCode.ERROR, message: "The reader stopped reading." });
    }
    span.setAttributes(attributes);
    span.end();
  }
}

function addUsage(attributes: Attributes, usage: Usage | undefined): void {
  if (usage === undefined) return;
  attributes[GEN_AI.inputTokens] = usage.inputTokens;
  attributes[GEN_AI.outputTokens] = usage.outputTokens;
}

/** The runtime's error code, which is what dashboards group by; a foreign error by its class name. */
function errorType(error: unknown): string {
  if (error instanceof LfError) return error.code;
  return error instanceof Error ? error.name : "_OTHER";
}
