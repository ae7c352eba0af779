import type { FinishReason, StreamPart, ToolCall } from "../core/index.js";

/** How one wire writes a stream's pieces: text, a whole tool call, and its opening events (once; "" after). */
export interface PartWriters {
  text(delta: string): string;
  tool(call: ToolCall): string;
  start(): string;
}

/**
 * The part-by-part half of a stream encoder that every event-stream wire shares: text and tool calls
 * go to the wire's writers, the first finish reason is kept for the closing events, and any other
 * part only opens the stream (so headers and the first events go out as soon as the model answers).
 */
export class PartWriter {
  finish: FinishReason | undefined;

  constructor(private readonly writers: PartWriters) {}

  part(part: StreamPart): string | undefined {
    switch (part.type) {
      case "text-delta":
        return part.text === "" ? undefined : this.writers.text(part.text);
      case "tool-call":
        return this.writers.tool(part.toolCall);
      case "finish":
        this.finish ??= part.finishReason;
        return undefined;
      default:
        return this.writers.start() || undefined;
    }
  }
}
