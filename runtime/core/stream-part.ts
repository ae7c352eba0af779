import type { ToolCall } from "./chat.js";
import type { LfError } from "./errors.js";

export type FinishReason =
  | "stop"
  | "length"
  | "tool-calls"
  | "content-filter"
  | "max-tool-iterations"
  | "error"
  | "other";

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** True when the provider reported nothing and the figures are our estimate. */
  estimated?: boolean;
}

/**
 * What a model produces, as a stream of typed parts. Providers parse their wire format into these;
 * the server and the CLI write them out.
 *
 * - `tool-call`: a complete call the model made that the caller must run (a client-side tool, or any
 *   call when no tool loop runs).
 * - `tool-start` / `tool-result`: a call that the runtime itself runs (an MCP tool) and its outcome.
 * - `embeddings`: an embeddings call's whole answer, one vector per input (routing reads it like any output).
 */
export type StreamPart =
  | { type: "text-delta"; text: string }
  | { type: "tool-call"; toolCall: ToolCall }
  | { type: "tool-start"; toolCall: ToolCall; server: string; tool: string }
  | { type: "tool-result"; toolCall: ToolCall; output: string; isError: boolean; durationMs: number }
  | { type: "usage"; usage: Usage }
  | { type: "finish"; finishReason: FinishReason }
  | { type: "embeddings"; vectors: number[][] }
  | { type: "error"; error: LfError };
