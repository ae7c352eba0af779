import type { ChatCompletionContentPart, ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { textOf, type ChatMessage } from "../../core/chat.js";
import { toolResultText } from "../shared/tool-arguments.js";

/** Our messages in Chat Completions form: tool calls on the assistant turn, results as `role: tool`. */
export function convertToOpenAIMessages(messages: readonly ChatMessage[]): ChatCompletionMessageParam[] {
  return messages.map((message): ChatCompletionMessageParam => {
    const name = message.name === undefined ? {} : { name: message.name };
    switch (message.role) {
      case "system":
        return { role: "system", content: textOf(message.content), ...name };
      case "user":
        return { role: "user", content: userContent(message.content), ...name };
      case "assistant": {
        const text = textOf(message.content);
        const toolCalls = message.toolCalls ?? [];
        if (toolCalls.length === 0) return { role: "assistant", content: text, ...name };
        return {
          role: "assistant",
          // The API wants null, not "", beside tool calls.
          content: text === "" ? null : text,
          ...name,
          tool_calls: toolCalls.map((call) => ({
            id: call.id,
            type: "function" as const,
            function: { name: call.name, arguments: call.arguments === "" ? "{}" : call.arguments },
          })),
        };
      }
      case "tool":
        return { role: "tool", tool_call_id: message.toolCallId ?? "", content: toolResultText(textOf(message.content), message.isError) };
    }
  });
}

function userContent(content: ChatMessage["content"]): string | ChatCompletionContentPart[] {
  if (content === null) return "";
  if (typeof content === "string") return content;
  if (content.every((part) => part.type === "text")) return textOf(content);
  return content.map((part): ChatCompletionContentPart =>
    part.type === "text" ? { type: "text", text: part.text } : { type: "image_url", image_url: { url: part.url } },
  );
}
