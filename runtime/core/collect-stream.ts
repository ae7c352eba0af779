import type { ToolCall } from "./chat.js";
import { AnswerFold } from "./answer-fold.js";
import type { FinishReason, StreamPart, Usage } from "./stream-part.js";

export interface CollectedResponse {
  text: string;
  toolCalls: ToolCall[];
  usage: Usage | undefined;
  finishReason: FinishReason;
}

/** A non-streaming answer is the stream, collected. An `error` part is thrown. */
export async function collectStream(stream: AsyncIterable<StreamPart>): Promise<CollectedResponse> {
  const fold = new AnswerFold();
  for await (const part of stream) fold.take(part);
  return { text: fold.text, toolCalls: fold.toolCalls, usage: fold.usage, finishReason: fold.finishReason ?? "other" };
}
