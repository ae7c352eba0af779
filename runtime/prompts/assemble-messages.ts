import type { ChatMessage } from "../core/index.js";
import { textOf } from "../core/index.js";
import { fillTemplate } from "./fill-template.js";

export interface PromptMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  tool_call_id?: string;
}

/**
 * Puts a model's prompt sets before the conversation. The system messages of the prompt sets, then the
 * request's own system messages, are merged into one system prompt at the top (every provider accepts
 * that, and Anthropic accepts nothing else); the prompt sets' other messages (few-shot examples) keep
 * their order after it, then the conversation follows.
 */
export function assembleMessages(
  prompts: ReadonlyArray<PromptMessage>,
  conversation: ReadonlyArray<ChatMessage>,
  variables: Readonly<Record<string, string>> = {},
): ChatMessage[] {
  const system: string[] = [];
  const seeded: ChatMessage[] = [];
  for (const message of prompts) {
    const content = fillTemplate(message.content, variables);
    if (message.role === "system") system.push(content);
    else seeded.push({ role: message.role, content, ...(message.tool_call_id ? { toolCallId: message.tool_call_id } : {}) });
  }
  const rest: ChatMessage[] = [];
  for (const message of conversation) {
    if (message.role === "system") system.push(textOf(message.content));
    else rest.push(message);
  }
  const out: ChatMessage[] = [];
  if (system.length > 0) out.push({ role: "system", content: system.join("\n\n") });
  out.push(...seeded, ...rest);
  return out;
}
