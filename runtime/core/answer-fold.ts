import type { ToolCall } from "./chat.js";
import type { FinishReason, StreamPart, Usage } from "./stream-part.js";

/**
 * An answer folded part by part, the one place a reader of a run keeps its text, tool calls, length,
 * first output, time spent in tools, usage and stop reason. An `error` part is thrown.
 */
export class AnswerFold {
  text = "";
  readonly toolCalls: ToolCall[] = [];
  /** Characters of text received. */
  chars = 0;
  /** `performance.now()` at the first text or tool call. */
  firstAt: number | undefined;
  /** Time the runtime spent running tools: not time waited on a model. */
  toolMs = 0;
  /** Each tool the runtime ran, with its time: what the console shows of a request's tool calls. */
  toolRuns: Array<{ name: string; ms: number; isError: boolean }> | undefined;
  usage: Usage | undefined;
  finishReason: FinishReason | undefined;

  /** `keepText: false` counts the text without keeping it (a stream whose text is not needed afterwards). */
  constructor(private readonly keepText = true) {}

  take(part: StreamPart): void {
    switch (part.type) {
      case "text-delta":
        if (this.keepText) this.text += part.text;
        this.chars += part.text.length;
        this.firstAt ??= performance.now();
        break;
      case "tool-call":
        this.toolCalls.push(part.toolCall);
        this.firstAt ??= performance.now();
        break;
      case "tool-result":
        this.toolMs += part.durationMs;
        (this.toolRuns ??= []).push({ name: part.toolCall.name, ms: part.durationMs, isError: part.isError });
        break;
      case "usage":
        this.usage = part.usage;
        break;
      case "finish":
        this.finishReason = part.finishReason;
        break;
      case "error":
        throw part.error;
      default:
        break;
    }
  }
}
