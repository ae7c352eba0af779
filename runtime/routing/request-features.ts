import { textOf, type ModelCallOptions } from "../core/index.js";
import type { ConversationView } from "./complexity-features.js";

/** What routing needs to know about a request, computed once from the call options. */
export interface RequestFeatures {
  promptChars: number;
  /** An estimate: see `estimateTokens`. */
  promptTokens: number;
  expectedOutputTokens: number;
  needsTools: boolean;
  needsVision: boolean;
  needsJson: boolean;
  /** The last user message. */
  lastUserText: string;
  /** Everything the user said, for length signals. */
  userChars: number;
  /** The whole conversation as the complexity classifier reads it. */
  conversation: ConversationView;
}

export const DEFAULT_EXPECTED_OUTPUT_TOKENS = 512;

/** About four characters a token for English text and code; good enough to admit and route. */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

export function requestFeatures(options: ModelCallOptions, expectedOutputTokens?: number): RequestFeatures {
  let promptChars = 0;
  let userChars = 0;
  let lastUserText = "";
  let needsVision = false;
  const system: string[] = [];
  const turns: string[] = [];
  let lastUserAt = -1;
  let userTurns = 0;
  let assistantSeen = 0;
  let assistantTurns = 0;
  for (const message of options.messages) {
    const text = textOf(message.content);
    if (message.role === "system") system.push(text);
    else if (message.role === "user" || message.role === "assistant") {
      if (message.role === "user") {
        lastUserAt = turns.length;
        userTurns++;
        assistantTurns = assistantSeen;
      } else assistantSeen++;
      turns.push(text);
    }
    promptChars += text.length;
    for (const call of message.toolCalls ?? []) promptChars += call.name.length + call.arguments.length;
    if (Array.isArray(message.content) && message.content.some((part) => part.type === "image")) needsVision = true;
    if (message.role === "user") {
      userChars += text.length;
      lastUserText = text;
    }
  }
  if (options.tools !== undefined) promptChars += JSON.stringify(options.tools).length;
  const conversation: ConversationView = {
    system: system.join("\n\n"),
    lastUser: lastUserText,
    earlier: lastUserAt > 0 ? turns.slice(0, lastUserAt).join("\n\n") : "",
    userTurns,
    assistantTurns,
    tools: options.tools?.map((tool) => tool.name) ?? [],
  };
  const maxTokens = options.parameters.max_tokens;
  return {
    promptChars,
    promptTokens: estimateTokens(promptChars),
    expectedOutputTokens: expectedOutputTokens ?? (typeof maxTokens === "number" ? maxTokens : DEFAULT_EXPECTED_OUTPUT_TOKENS),
    needsTools: (options.tools?.length ?? 0) > 0 && options.toolChoice !== "none",
    needsVision,
    needsJson: options.responseFormat !== undefined && options.responseFormat.type !== "text",
    lastUserText,
    userChars,
    conversation,
  };
}
