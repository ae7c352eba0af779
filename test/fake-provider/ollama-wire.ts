import { argumentsObject, textOfPlan, type ReplyPlan } from "./reply-plan.js";
import type { FakeFinishReason } from "./reply-spec.js";
import { textFrame, type EncodeContext, type Frame, type WireEncoder } from "./wire-encoder.js";

/** Ollama `/api/chat`: NDJSON lines unless `stream: false`; tool arguments are objects, not JSON text. */
export const ollamaWire: WireEncoder = {
  format: "ollama",
  jsonType: "application/json; charset=utf-8",
  streamType: "application/x-ndjson",

  complete(plan, ctx) {
    const message: Record<string, unknown> = { role: "assistant", content: textOfPlan(plan) };
    if (plan.toolCalls.length > 0) message.tool_calls = toolCallsOf(plan);
    return Buffer.from(JSON.stringify({ model: ctx.model, created_at: createdAt(ctx), message, ...doneFields(plan) }));
  },

  stream(plan, ctx) {
    const head = `{"model":${JSON.stringify(ctx.model)},"created_at":"${createdAt(ctx)}","message":`;
    const frames: Frame[] = [];
    for (const text of plan.chunks) {
      frames.push(textFrame(text, ctx.stamp, (t) => `${head}${JSON.stringify({ role: "assistant", content: t })},"done":false}\n`));
    }
    // Ollama parses a whole tool call before sending it, so every call arrives complete in one line.
    if (plan.toolCalls.length > 0) {
      const message = { role: "assistant", content: "", tool_calls: toolCallsOf(plan) };
      frames.push({ kind: "output", bytes: Buffer.from(`${head}${JSON.stringify(message)},"done":false}\n`) });
    }
    const done = JSON.stringify(doneFields(plan)).slice(1);
    frames.push({ kind: "tail", bytes: Buffer.from(`${head}{"role":"assistant","content":""},${done}\n`) });
    return frames;
  },

  errorBody(_status, message) {
    return Buffer.from(JSON.stringify({ error: message }));
  },

  streamError(message) {
    return Buffer.from(`${JSON.stringify({ error: message })}\n`);
  },

  malformedFrame: Buffer.from(`{"model":"broken","message":{"role":"assistant","content":"unterminated\n`),
};

function createdAt(ctx: EncodeContext): string {
  return new Date(ctx.now).toISOString();
}

function toolCallsOf(plan: ReplyPlan) {
  return plan.toolCalls.map((call, index) => {
    const fn = { index, name: call.name, arguments: argumentsObject(call) };
    return call.id === undefined ? { function: fn } : { id: call.id, function: fn };
  });
}

function doneFields(plan: ReplyPlan) {
  const { inputTokens, outputTokens } = plan.usage;
  return {
    done: true,
    done_reason: doneReason(plan.finishReason),
    total_duration: 1_000_000 * (1 + outputTokens),
    load_duration: 100_000,
    prompt_eval_count: inputTokens,
    prompt_eval_duration: 100_000 * inputTokens,
    eval_count: outputTokens,
    eval_duration: 1_000_000 * outputTokens,
  };
}

/** Ollama says `stop` even when the turn ends in tool calls. */
function doneReason(reason: FakeFinishReason): string {
  return reason === "length" ? "length" : "stop";
}
