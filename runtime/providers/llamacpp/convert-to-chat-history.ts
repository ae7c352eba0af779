import type { ChatHistoryItem, ChatModelFunctionCall, ChatModelResponse } from "node-llama-cpp";
import type { ChatMessage } from "../../core/chat.js";

export class UnsupportedContentError extends Error {
  override readonly name = "UnsupportedContentError";
}

function textContent(message: ChatMessage): string {
  const { content } = message;
  if (content === null) return "";
  if (typeof content === "string") return content;
  return content
    .map((part) => {
      if (part.type === "text") return part.text;
      throw new UnsupportedContentError(`${message.role} message has an image; llamacpp models here take text only`);
    })
    .join("");
}

function parseArguments(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Our messages as node-llama-cpp's chat history. An assistant turn, the tool results that answer its
 * calls and the assistant text that follows them are one model response in node-llama-cpp, with each
 * result stored on its call; so they are folded together here. The history ends with the model
 * response to generate.
 */
export function convertToChatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  const pendingCalls = new Map<string, ChatModelFunctionCall>();
  let openResponse: ChatModelResponse | undefined;

  const modelResponse = (): ChatModelResponse => {
    if (openResponse === undefined) {
      openResponse = { type: "model", response: [] };
      history.push(openResponse);
    }
    return openResponse;
  };

  for (const message of messages) {
    switch (message.role) {
      case "system":
        openResponse = undefined;
        history.push({ type: "system", text: textContent(message) });
        break;
      case "user": {
        openResponse = undefined;
        pendingCalls.clear();
        const text = textContent(message);
        const last = history.at(-1);
        if (last?.type === "user") last.text += `\n\n${text}`;
        else history.push({ type: "user", text });
        break;
      }
      case "assistant": {
        const response = modelResponse();
        const text = textContent(message);
        if (text !== "") response.response.push(text);
        for (const call of message.toolCalls ?? []) {
          const functionCall: ChatModelFunctionCall = {
            type: "functionCall",
            name: call.name,
            params: parseArguments(call.arguments),
            result: undefined,
          };
          pendingCalls.set(call.id, functionCall);
          response.response.push(functionCall);
        }
        break;
      }
      case "tool": {
        const text = textContent(message);
        const call = message.toolCallId === undefined ? undefined : pendingCalls.get(message.toolCallId);
        if (call !== undefined) {
          call.result = message.isError ? { error: text } : text;
          pendingCalls.delete(message.toolCallId!);
        } else {
          // A result with no call to hang it on still reaches the model, as what the user relays.
          openResponse = undefined;
          history.push({ type: "user", text: `Result of tool ${message.name ?? "call"}:\n${text}` });
        }
        break;
      }
    }
  }

  // A history that ends on the model's turn (its text, or its calls and their results) is continued.
  if (history.at(-1)?.type !== "model") history.push({ type: "model", response: [] });
  return history;
}
