import type { FinishReason, ToolCall, Usage } from "../../core/index.js";
import type { AnswerIdentity, StreamEncoder } from "../chat-wire.js";
import { PartWriter } from "../part-writer.js";
import { anthropicErrorEvent } from "./error-body.js";
import { toAnthropicStopReason } from "./stop-reason.js";

/**
 * Anthropic's stream: `message_start`, then each content block as `content_block_start`, its deltas
 * (`text_delta`, or one `input_json_delta` holding a tool call's whole arguments) and
 * `content_block_stop`, then `message_delta` with the stop reason and usage, and `message_stop`.
 */
export function messageEvents(identity: AnswerIdentity): StreamEncoder {
  let started = false;
  let index = -1;
  let textOpen = false;

  const start = (): string => {
    if (started) return "";
    started = true;
    const message = { id: identity.id, type: "message", role: "assistant", model: identity.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } };
    return event("message_start", { type: "message_start", message });
  };
  const closeText = (): string => {
    if (!textOpen) return "";
    textOpen = false;
    return event("content_block_stop", { type: "content_block_stop", index });
  };
  const text = (delta: string): string => {
    let out = start();
    if (!textOpen) {
      textOpen = true;
      index++;
      out += event("content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } });
    }
    return `${out}event: content_block_delta\ndata: {"type":"content_block_delta","index":${index},"delta":{"type":"text_delta","text":${JSON.stringify(delta)}}}\n\n`;
  };
  const tool = (call: ToolCall): string => {
    const out = start() + closeText();
    index++;
    return (
      out +
      event("content_block_start", { type: "content_block_start", index, content_block: { type: "tool_use", id: call.id, name: call.name, input: {} } }) +
      event("content_block_delta", { type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: call.arguments === "" ? "{}" : call.arguments } }) +
      event("content_block_stop", { type: "content_block_stop", index })
    );
  };

  const writer = new PartWriter({ text, tool, start });
  return {
    part: (part) => writer.part(part),
    end(usage: Usage | undefined, reason: FinishReason | undefined) {
      const delta = { stop_reason: toAnthropicStopReason(reason ?? writer.finish), stop_sequence: null };
      const totals = { input_tokens: usage?.inputTokens ?? 0, output_tokens: usage?.outputTokens ?? 0 };
      return start() + closeText() + event("message_delta", { type: "message_delta", delta, usage: totals }) + event("message_stop", { type: "message_stop" });
    },
    error: anthropicErrorEvent,
  };
}

function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}
