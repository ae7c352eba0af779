import type { FinishReason } from "../../core/index.js";

export type AnthropicStopReason = "end_turn" | "max_tokens" | "tool_use" | "refusal" | "stop_sequence";

/** Anthropic's names for our finish reasons; a tool loop cut short ends its turn. */
export function toAnthropicStopReason(reason: FinishReason | undefined): AnthropicStopReason {
  switch (reason) {
    case "length":
      return "max_tokens";
    case "tool-calls":
      return "tool_use";
    case "content-filter":
      return "refusal";
    default:
      return "end_turn";
  }
}
