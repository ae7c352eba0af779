import type { ToolCall } from "./chat.js";
import type { LfError } from "./errors.js";

export type FinishReason = "stop" | "length" | "tool-calls" | "content-filter" | "error" | "other";

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** True when the provider reported nothing and the figures are our estimate. */
  estimated?: boolean;
}

/**
 * What a model produces, as a stream of typed parts. Providers parse their wire format into these;
 * the server and the CLI write them out. A `tool-call` part carries a complete call.
 */
export type StreamPart =
  | { type: "text-delta"; text: string }
  | { type: "tool-call"; toolCall: ToolCall }
  | { type: "usage"; usage: Usage }
  | { type: "finish"; finishReason: FinishReason }
  | { type: "error"; error: LfError };
