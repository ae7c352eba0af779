import type { CollectedResponse } from "../../core/index.js";
import { toOpenAIFinishReason } from "./finish-reason.js";

export interface CompletionIdentity {
  id: string;
  /** The named model that answered. */
  model: string;
  created: number;
}

/** A collected answer as an OpenAI `chat.completion` object. */
export function toChatCompletion(response: CollectedResponse, identity: CompletionIdentity) {
  const toolCalls = response.toolCalls.map((call) => ({
    id: call.id,
    type: "function" as const,
    function: { name: call.name, arguments: call.arguments },
  }));
  return {
    id: identity.id,
    object: "chat.completion" as const,
    created: identity.created,
    model: identity.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant" as const,
          content: response.text === "" && toolCalls.length > 0 ? null : response.text,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
          refusal: null,
        },
        logprobs: null,
        finish_reason: toOpenAIFinishReason(response.finishReason),
      },
    ],
    usage: {
      prompt_tokens: response.usage?.inputTokens ?? 0,
      completion_tokens: response.usage?.outputTokens ?? 0,
      total_tokens: (response.usage?.inputTokens ?? 0) + (response.usage?.outputTokens ?? 0),
      ...(response.usage?.estimated ? { estimated: true } : {}),
    },
  };
}
