import type { Base64ImageSource, ContentBlockParam, ImageBlockParam, MessageParam, TextBlockParam, ToolResultBlockParam } from "@anthropic-ai/sdk/resources/messages";
import { textOf, type ChatMessage } from "../../core/chat.js";
import { parseDataUrl } from "../shared/data-url.js";
import { argumentsObject } from "../shared/tool-arguments.js";

const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

export class UnsupportedImageTypeError extends Error {
  constructor(mediaType: string) {
    super(`Anthropic takes JPEG, PNG, GIF and WebP images, not ${mediaType}`);
    this.name = "UnsupportedImageTypeError";
  }
}

export interface AnthropicPrompt {
  /** Every system message, joined: Anthropic takes the system prompt as a field of its own. */
  system: string | undefined;
  messages: MessageParam[];
}

/**
 * Our messages as Anthropic turns. Tool calls become `tool_use` blocks on the assistant turn; tool
 * results become `tool_result` blocks on a user turn, consecutive ones merged into one turn as the API
 * requires (a user message right after them joins that turn too, after the results). Empty text blocks
 * are left out: the API refuses them.
 */
export function convertToAnthropicMessages(messages: readonly ChatMessage[]): AnthropicPrompt {
  const system: string[] = [];
  const out: MessageParam[] = [];
  const push = (role: "user" | "assistant", blocks: ContentBlockParam[]) => {
    if (blocks.length === 0) return;
    const last = out.at(-1);
    if (last !== undefined && last.role === role && role === "user" && Array.isArray(last.content) && last.content.some((block) => block.type === "tool_result")) {
      last.content.push(...blocks);
      return;
    }
    out.push({ role, content: blocks });
  };

  for (const message of messages) {
    switch (message.role) {
      case "system": {
        const text = textOf(message.content);
        if (text !== "") system.push(text);
        break;
      }
      case "user":
        push("user", userBlocks(message.content));
        break;
      case "assistant": {
        const text = textOf(message.content);
        const blocks: ContentBlockParam[] = text === "" ? [] : [{ type: "text", text }];
        for (const call of message.toolCalls ?? []) blocks.push({ type: "tool_use", id: call.id, name: call.name, input: argumentsObject(call.arguments) });
        push("assistant", blocks);
        break;
      }
      case "tool": {
        const text = textOf(message.content);
        const result: ToolResultBlockParam = { type: "tool_result", tool_use_id: message.toolCallId ?? "", ...(text === "" ? {} : { content: text }) };
        if (message.isError === true) result.is_error = true;
        push("user", [result]);
        break;
      }
    }
  }
  return { system: system.length === 0 ? undefined : system.join("\n\n"), messages: out };
}

function userBlocks(content: ChatMessage["content"]): ContentBlockParam[] {
  if (content === null) return [];
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  return content.flatMap((part): (TextBlockParam | ImageBlockParam)[] => {
    if (part.type === "text") return part.text === "" ? [] : [{ type: "text", text: part.text }];
    const data = parseDataUrl(part.url);
    if (data === undefined) return [{ type: "image", source: { type: "url", url: part.url } }];
    if (!IMAGE_TYPES.has(data.mediaType)) throw new UnsupportedImageTypeError(data.mediaType);
    return [{ type: "image", source: { type: "base64", media_type: data.mediaType as Base64ImageSource["media_type"], data: data.base64 } }];
  });
}
