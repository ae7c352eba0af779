import type { FinishReason } from "../../core/index.js";

export type OpenAIFinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "max_tool_iterations" | "error";

/** OpenAI's names for our finish reasons; `max_tool_iterations` is ours, a clear stop reason of its own. */
export function toOpenAIFinishReason(reason: FinishReason): OpenAIFinishReason {
  switch (reason) {
    case "length":
      return "length";
    case "tool-calls":
      return "tool_calls";
    case "content-filter":
      return "content_filter";
    case "max-tool-iterations":
      return "max_tool_iterations";
    case "error":
      return "error";
    default:
      return "stop";
  }
}
