import type { ToolCall } from "./chat.js";
import type { FinishReason, StreamPart, Usage } from "./stream-part.js";

export interface CollectedResponse {
  text: string;
  toolCalls: ToolCall[];
  usage: Usage | undefined;
  finishReason: FinishReason;
}

/** A non-streaming answer is the stream, collected. An `error` part is thrown. */
export async function collectStream(stream: AsyncIterable<StreamPart>): Promise<CollectedResponse> {
  let text = "";
  const toolCalls: ToolCall[] = [];
  let usage: Usage | undefined;
  let finishReason: FinishReason = "other";
  for await (const part of stream) {
    switch (part.type) {
      case "text-delta":
        text += part.text;
        break;
      case "tool-call":
        toolCalls.push(part.toolCall);
        break;
      case "usage":
        usage = part.usage;
        break;
      case "finish":
        finishReason = part.finishReason;
        break;
      case "error":
        throw part.error;
    }
  }
  return { text, toolCalls, usage, finishReason };
}
