import type { FinishReason } from "../../core/stream-part.js";

/** Ollama says `stop` even when the turn ended in tool calls, so the calls decide it. */
export function mapOllamaFinishReason(reason: string | undefined, hasToolCalls: boolean): FinishReason {
  if (hasToolCalls) return "tool-calls";
  switch (reason) {
    case "stop":
      return "stop";
    case "length":
      return "length";
    default:
      return "other";
  }
}
