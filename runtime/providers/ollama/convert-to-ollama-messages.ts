import type { Message } from "ollama";
import { textOf, type ChatMessage, type ContentPart } from "../../core/chat.js";
import { parseDataUrl } from "../shared/data-url.js";
import { argumentsObject, toolResultText } from "../shared/tool-arguments.js";

/** An image Ollama cannot take (it reads inline base64 only, never a URL). */
export class UnsupportedImageError extends Error {
  constructor(url: string) {
    super(`Ollama takes images inline only; send a data: URL instead of ${url.slice(0, 60)}`);
    this.name = "UnsupportedImageError";
  }
}

/** Ollama's wire messages, images as base64 text: exactly what the request body carries. */
export type OllamaWireMessage = Omit<Message, "images"> & { images?: string[] };

/**
 * Our messages in Ollama's form. Tool calls carry their arguments as objects; tool results name the
 * tool they answer (Ollama has no call ids), found from the assistant turn that made the call.
 */
export function convertToOllamaMessages(messages: readonly ChatMessage[]): OllamaWireMessage[] {
  const toolNames = new Map<string, string>();
  return messages.map((message): OllamaWireMessage => {
    switch (message.role) {
      case "system":
        return { role: "system", content: textOf(message.content) };
      case "user": {
        const images = imagesOf(message.content);
        return { role: "user", content: textOf(message.content), ...(images.length > 0 ? { images } : {}) };
      }
      case "assistant": {
        const toolCalls = message.toolCalls ?? [];
        for (const call of toolCalls) toolNames.set(call.id, call.name);
        return {
          role: "assistant",
          content: textOf(message.content),
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls.map((call) => ({ function: { name: call.name, arguments: argumentsObject(call.arguments) } })) } : {}),
        };
      }
      case "tool": {
        const name = message.toolCallId === undefined ? undefined : toolNames.get(message.toolCallId);
        return { role: "tool", content: toolResultText(textOf(message.content), message.isError), ...(name === undefined ? {} : { tool_name: name }) };
      }
    }
  });
}

function imagesOf(content: ChatMessage["content"]): string[] {
  if (content === null || typeof content === "string") return [];
  return content.filter((part): part is Extract<ContentPart, { type: "image" }> => part.type === "image").map((part) => {
    const data = parseDataUrl(part.url);
    if (data === undefined) throw new UnsupportedImageError(part.url);
    // Canonical base64, so the preview shows the bytes the client will send.
    return Buffer.from(data.base64, "base64").toString("base64");
  });
}
