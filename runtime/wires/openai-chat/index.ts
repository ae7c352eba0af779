import type { ChatWire } from "../chat-wire.js";
import { CompletionChunks, DONE, errorEvent } from "./completion-chunks.js";
import { decodeChatBody, type OpenAIChatOptions } from "./decode-chat-body.js";
import { openAIErrorBody } from "./error-body.js";
import { toChatCompletion } from "./to-chat-completion.js";

export { toOpenAIFinishReason, type OpenAIFinishReason } from "./finish-reason.js";
export { toChatCompletion, type CompletionIdentity } from "./to-chat-completion.js";
export { parseMessages } from "./decode-chat-body.js";

/** OpenAI's chat completions: `POST /v1/chat/completions` and its project-scoped form. */
export const openAIChatWire: ChatWire<OpenAIChatOptions> = {
  name: "openai-chat",
  decode: decodeChatBody,
  stream(identity, options) {
    const chunks = new CompletionChunks(identity.id, identity.created, identity.model);
    let finished = false;
    return {
      part(part) {
        switch (part.type) {
          case "text-delta":
            return chunks.text(part.text);
          case "tool-call":
            return chunks.toolCall(part.toolCall);
          case "finish":
            if (finished) return undefined;
            finished = true;
            return chunks.finish(part.finishReason);
          default:
            return undefined;
        }
      },
      end(usage) {
        const last = finished ? "" : chunks.finish("stop");
        finished = true;
        return `${last}${options.includeUsage ? chunks.usage(usage) : ""}${DONE}`;
      },
      error: (mapped) => errorEvent(openAIErrorBody(mapped)),
    };
  },
  whole: (answer, identity) => JSON.stringify(toChatCompletion(answer, identity)),
  errorBody: openAIErrorBody,
  errorEvent: (mapped) => errorEvent(openAIErrorBody(mapped)),
  answerId: (requestId) => `chatcmpl-${requestId}`,
};
