import { STATUS_CODES } from "node:http";
import { textOfPlan, type ReplyPlan } from "./reply-plan.js";
import { sseData, textFrame, type EncodeContext, type Frame, type WireEncoder } from "./wire-encoder.js";

/** OpenAI Chat Completions: one JSON object, or SSE `chat.completion.chunk`s ending in `[DONE]`. */
export const openaiWire: WireEncoder = {
  format: "openai",
  jsonType: "application/json",
  streamType: "text/event-stream; charset=utf-8",

  complete(plan, ctx) {
    const text = textOfPlan(plan);
    const toolCalls = plan.toolCalls.map((call, i) => ({
      id: toolCallId(call.id, ctx, i),
      type: "function",
      function: { name: call.name, arguments: call.argumentsText },
    }));
    const message: Record<string, unknown> = { role: "assistant", content: text === "" && toolCalls.length > 0 ? null : text, refusal: null, annotations: [] };
    if (toolCalls.length > 0) message.tool_calls = toolCalls;
    return Buffer.from(
      JSON.stringify({
        id: responseId(ctx),
        object: "chat.completion",
        created: Math.floor(ctx.now / 1000),
        model: ctx.model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: plan.finishReason }],
        usage: usageOf(plan),
        service_tier: "default",
        system_fingerprint: "fp_fake",
      }),
    );
  },

  stream(plan, ctx) {
    // Every chunk shares this envelope; only the choice differs, so it is spliced in as text.
    const head = `{"id":"${responseId(ctx)}","object":"chat.completion.chunk","created":${Math.floor(ctx.now / 1000)},"model":${JSON.stringify(ctx.model)},"service_tier":"default","system_fingerprint":"fp_fake","choices":[`;
    const tail = ctx.includeUsage ? `],"usage":null}` : `]}`;
    const chunk = (delta: unknown, finish: string | null = null) =>
      sseData(`${head}{"index":0,"delta":${JSON.stringify(delta)},"logprobs":null,"finish_reason":${JSON.stringify(finish)}}${tail}`);

    const frames: Frame[] = [{ kind: "framing", bytes: Buffer.from(chunk({ role: "assistant", content: "", refusal: null })) }];
    for (const text of plan.chunks) frames.push(textFrame(text, ctx.stamp, (t) => chunk({ content: t })));
    plan.toolCalls.forEach((call, index) => {
      const opening = { index, id: toolCallId(call.id, ctx, index), type: "function", function: { name: call.name, arguments: "" } };
      frames.push({ kind: "framing", bytes: Buffer.from(chunk({ tool_calls: [opening] })) });
      for (const fragment of call.fragments) {
        frames.push({ kind: "output", bytes: Buffer.from(chunk({ tool_calls: [{ index, function: { arguments: fragment } }] })) });
      }
    });
    frames.push({ kind: "tail", bytes: Buffer.from(chunk({}, plan.finishReason)) });
    if (ctx.includeUsage) {
      const usage = JSON.stringify(usageOf(plan));
      frames.push({ kind: "tail", bytes: Buffer.from(sseData(`${head}],"usage":${usage}}`)) });
    }
    frames.push({ kind: "tail", bytes: DONE });
    return frames;
  },

  errorBody(status, message, errorType) {
    return Buffer.from(JSON.stringify(openaiError(status, message, errorType)));
  },

  streamError(message, errorType) {
    return Buffer.from(sseData(JSON.stringify(openaiError(500, message, errorType))));
  },

  malformedFrame: Buffer.from(sseData(`{"id":"chatcmpl-broken","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"unterminated`)),
};

const DONE = Buffer.from(sseData("[DONE]"));

function responseId(ctx: EncodeContext): string {
  return `chatcmpl-fake${ctx.seq}`;
}

function toolCallId(id: string | undefined, ctx: EncodeContext, index: number): string {
  return id ?? `call_fake${ctx.seq}_${index}`;
}

function usageOf(plan: ReplyPlan) {
  const { inputTokens, outputTokens } = plan.usage;
  return { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens };
}

function openaiError(status: number, message: string, errorType: string | undefined) {
  const [type, code] = errorKind(status);
  return { error: { message: message || (STATUS_CODES[status] ?? "Error"), type: errorType ?? type, param: null, code } };
}

/** The `type` and `code` OpenAI sends for common statuses. */
function errorKind(status: number): [string, string | null] {
  if (status === 401) return ["invalid_request_error", "invalid_api_key"];
  if (status === 404) return ["invalid_request_error", "model_not_found"];
  if (status === 429) return ["requests", "rate_limit_exceeded"];
  if (status >= 500) return ["server_error", null];
  return ["invalid_request_error", null];
}
