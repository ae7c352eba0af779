import { STATUS_CODES } from "node:http";
import { argumentsObject, textOfPlan, type ReplyPlan } from "./reply-plan.js";
import type { FakeFinishReason } from "./reply-spec.js";
import { sseEvent, textFrame, type EncodeContext, type Frame, type WireEncoder } from "./wire-encoder.js";

/** Anthropic Messages: a message of content blocks, or the SSE event sequence message_start ... message_stop. */
export const anthropicWire: WireEncoder = {
  format: "anthropic",
  jsonType: "application/json",
  streamType: "text/event-stream; charset=utf-8",

  complete(plan, ctx) {
    const content: unknown[] = [];
    const text = textOfPlan(plan);
    if (text !== "") content.push({ type: "text", text });
    plan.toolCalls.forEach((call, i) => content.push({ type: "tool_use", id: toolUseId(call.id, ctx, i), name: call.name, input: argumentsObject(call) }));
    return Buffer.from(
      JSON.stringify({
        id: messageId(ctx),
        type: "message",
        role: "assistant",
        model: ctx.model,
        content,
        stop_reason: stopReason(plan.finishReason),
        stop_sequence: null,
        usage: usageOf(plan),
      }),
    );
  },

  stream(plan, ctx) {
    const event = (type: string, body: Record<string, unknown>) => Buffer.from(sseEvent(type, JSON.stringify({ type, ...body })));
    const start = { id: messageId(ctx), type: "message", role: "assistant", model: ctx.model, content: [], stop_reason: null, stop_sequence: null, usage: { ...usageOf(plan), output_tokens: 1 } };
    const frames: Frame[] = [{ kind: "framing", bytes: event("message_start", { message: start }) }];
    let index = 0;
    if (plan.chunks.length > 0) {
      frames.push({ kind: "framing", bytes: event("content_block_start", { index, content_block: { type: "text", text: "" } }) });
      frames.push({ kind: "framing", bytes: PING });
      const head = `{"type":"content_block_delta","index":${index},"delta":{"type":"text_delta","text":`;
      for (const text of plan.chunks) frames.push(textFrame(text, ctx.stamp, (t) => sseEvent("content_block_delta", `${head}${JSON.stringify(t)}}}`)));
      frames.push({ kind: "framing", bytes: event("content_block_stop", { index }) });
      index++;
    } else {
      frames.push({ kind: "framing", bytes: PING });
    }
    plan.toolCalls.forEach((call, i) => {
      const block = { type: "tool_use", id: toolUseId(call.id, ctx, i), name: call.name, input: {} };
      frames.push({ kind: "framing", bytes: event("content_block_start", { index, content_block: block }) });
      for (const partial of call.fragments) {
        frames.push({ kind: "output", bytes: event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: partial } }) });
      }
      frames.push({ kind: "framing", bytes: event("content_block_stop", { index }) });
      index++;
    });
    const delta = { delta: { stop_reason: stopReason(plan.finishReason), stop_sequence: null }, usage: { output_tokens: plan.usage.outputTokens } };
    frames.push({ kind: "tail", bytes: event("message_delta", delta) });
    frames.push({ kind: "tail", bytes: event("message_stop", {}) });
    return frames;
  },

  errorBody(status, message, errorType) {
    return Buffer.from(JSON.stringify(anthropicError(status, message, errorType)));
  },

  streamError(message, errorType) {
    return Buffer.from(sseEvent("error", JSON.stringify(anthropicError(529, message, errorType))));
  },

  malformedFrame: Buffer.from(sseEvent("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"unterminated`)),
};

const PING = Buffer.from(sseEvent("ping", `{"type": "ping"}`));

function messageId(ctx: EncodeContext): string {
  return `msg_fake${ctx.seq}`;
}

function toolUseId(id: string | undefined, ctx: EncodeContext, index: number): string {
  return id ?? `toolu_fake${ctx.seq}_${index}`;
}

function usageOf(plan: ReplyPlan) {
  return { input_tokens: plan.usage.inputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: plan.usage.outputTokens };
}

function stopReason(reason: FakeFinishReason): string {
  if (reason === "length") return "max_tokens";
  if (reason === "tool_calls") return "tool_use";
  if (reason === "content_filter") return "refusal";
  return "end_turn";
}

function anthropicError(status: number, message: string, errorType: string | undefined) {
  return { type: "error", error: { type: errorType ?? errorKind(status), message: message || (STATUS_CODES[status] ?? "Error") } };
}

/** The error `type` Anthropic documents for each status. */
function errorKind(status: number): string {
  switch (status) {
    case 400:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 529:
      return "overloaded_error";
    default:
      return status >= 500 ? "api_error" : "invalid_request_error";
  }
}
