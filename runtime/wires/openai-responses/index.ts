import type { ChatWire } from "../chat-wire.js";
import { openAIErrorBody } from "../openai-chat/error-body.js";
import { decodeResponsesBody, type ResponsesEcho } from "./decode-responses-body.js";
import { errorEvent, responseEvents } from "./response-events.js";
import { outputItems, responseObject, statusOf } from "./response-object.js";

export type { ResponsesEcho } from "./decode-responses-body.js";

/**
 * OpenAI's Responses API: `POST /v1/responses` and its project-scoped form. Nothing is stored: a
 * response cannot be fetched later, and `previous_response_id` is refused with a 400.
 */
export const openAIResponsesWire: ChatWire<ResponsesEcho> = {
  name: "openai-responses",
  decode: decodeResponsesBody,
  stream: responseEvents,
  whole: (answer, identity, echo) =>
    JSON.stringify(responseObject(identity, echo, statusOf(answer.finishReason), outputItems(identity.id, answer.text, answer.toolCalls), answer.usage)),
  errorBody: openAIErrorBody,
  errorEvent: (mapped) => errorEvent(mapped),
  answerId: (requestId) => `resp_${requestId.replace(/-/g, "")}`,
};
