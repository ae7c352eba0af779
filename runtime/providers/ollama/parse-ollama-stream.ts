import type { ChatResponse } from "ollama";
import type { StreamPart } from "../../core/stream-part.js";
import { mapOllamaFinishReason } from "./map-ollama-finish-reason.js";
import { OllamaStreamTruncatedError } from "./map-ollama-error.js";

/**
 * NDJSON chunks into parts. Ollama sends each tool call whole, with its arguments as an object, and
 * sometimes without an id; `generateId` fills that in. The `done` line carries the counts and the reason.
 */
export async function* parseOllamaStream(chunks: AsyncIterable<ChatResponse> | Iterable<ChatResponse>, generateId: () => string): AsyncGenerator<StreamPart> {
  let toolCallCount = 0;
  for await (const chunk of chunks) {
    const message = chunk.message;
    if (typeof message?.content === "string" && message.content !== "") yield { type: "text-delta", text: message.content };
    for (const call of message?.tool_calls ?? []) {
      const id = (call as { id?: unknown }).id;
      const args: unknown = call.function.arguments;
      toolCallCount++;
      yield {
        type: "tool-call",
        toolCall: {
          id: typeof id === "string" && id !== "" ? id : generateId(),
          name: call.function.name,
          arguments: typeof args === "string" ? args : JSON.stringify(args ?? {}),
        },
      };
    }
    if (chunk.done) {
      yield { type: "usage", usage: { inputTokens: chunk.prompt_eval_count ?? 0, outputTokens: chunk.eval_count ?? 0 } };
      yield { type: "finish", finishReason: mapOllamaFinishReason(chunk.done_reason, toolCallCount > 0) };
      return;
    }
  }
  throw new OllamaStreamTruncatedError();
}
