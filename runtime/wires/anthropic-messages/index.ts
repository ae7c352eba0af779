import type { ChatWire, WholeAnswer, AnswerIdentity } from "../chat-wire.js";
import { argumentsObject } from "../json-fields.js";
import { decodeMessagesBody } from "./decode-messages-body.js";
import { anthropicErrorBody, anthropicErrorEvent } from "./error-body.js";
import { messageEvents } from "./message-events.js";
import { toAnthropicStopReason } from "./stop-reason.js";

/** Anthropic's Messages API: `POST /v1/messages` and its project-scoped form. */
export const anthropicMessagesWire: ChatWire<undefined> = {
  name: "anthropic-messages",
  decode: decodeMessagesBody,
  stream: (identity) => messageEvents(identity),
  whole: (answer, identity) => JSON.stringify(toAnthropicMessage(answer, identity)),
  errorBody: anthropicErrorBody,
  errorEvent: anthropicErrorEvent,
  answerId: (requestId) => `msg_${requestId}`,
};

/** A whole answer as an Anthropic `message`: a text block (when there is text), then one `tool_use` block per call. */
export function toAnthropicMessage(answer: WholeAnswer, identity: AnswerIdentity) {
  const content: Array<Record<string, unknown>> = [];
  if (answer.text !== "" || answer.toolCalls.length === 0) content.push({ type: "text", text: answer.text });
  for (const call of answer.toolCalls) content.push({ type: "tool_use", id: call.id, name: call.name, input: argumentsObject(call.arguments) });
  return {
    id: identity.id,
    type: "message" as const,
    role: "assistant" as const,
    model: identity.model,
    content,
    stop_reason: toAnthropicStopReason(answer.finishReason),
    stop_sequence: null,
    usage: { input_tokens: answer.usage?.inputTokens ?? 0, output_tokens: answer.usage?.outputTokens ?? 0 },
  };
}
