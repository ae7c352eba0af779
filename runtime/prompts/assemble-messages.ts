import type { ChatMessage } from "../core/index.js";
import { textOf } from "../core/index.js";
import { fillTemplate } from "./fill-template.js";

export interface PromptMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string;
  tool_call_id?: string;
}

/**
 * LlamaFarm's `prompts_mode`: `api_supplement` adds the request's system messages after the prompt sets',
 * `config_only` drops them, `api_replace` uses them instead of the prompt sets when there are any.
 */
export type PromptsMode = "config_only" | "api_replace" | "api_supplement";

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
  mode: PromptsMode = "api_supplement",
): ChatMessage[] {
  const system: string[] = [];
  const seeded: ChatMessage[] = [];
  const replaced = mode === "api_replace" && conversation.some((message) => message.role === "system");
  for (const message of replaced ? [] : prompts) {
    const content = fillTemplate(message.content, variables);
    if (message.role === "system") system.push(content);
    else seeded.push({ role: message.role, content, ...(message.tool_call_id ? { toolCallId: message.tool_call_id } : {}) });
  }
  const rest: ChatMessage[] = [];
  for (const message of conversation) {
    if (message.role !== "system") rest.push(message);
    else if (mode !== "config_only") system.push(textOf(message.content));
  }
  const out: ChatMessage[] = [];
  if (system.length > 0) out.push({ role: "system", content: system.join("\n\n") });
  out.push(...seeded, ...rest);
  return out;
}
