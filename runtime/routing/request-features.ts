import { textOf, type ModelCallOptions } from "../core/index.js";

/** What routing needs to know about a request, computed once from the call options. */
export interface RequestFeatures {
  promptChars: number;
  /** An estimate: see `estimateTokens`. */
  promptTokens: number;
  expectedOutputTokens: number;
  needsTools: boolean;
  needsVision: boolean;
  needsJson: boolean;
  /** The last user message, which the complexity classifier reads. */
  lastUserText: string;
  /** Everything the user said, for length signals. */
  userChars: number;
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
  for (const message of options.messages) {
    const text = textOf(message.content);
    promptChars += text.length;
    for (const call of message.toolCalls ?? []) promptChars += call.name.length + call.arguments.length;
    if (Array.isArray(message.content) && message.content.some((part) => part.type === "image")) needsVision = true;
    if (message.role === "user") {
      userChars += text.length;
      lastUserText = text;
    }
  }
  if (options.tools !== undefined) promptChars += JSON.stringify(options.tools).length;
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
  };
}
