import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import type { ToolCall } from "../../core/chat.js";
import type { StreamPart, Usage } from "../../core/stream-part.js";
import { mapOpenAIFinishReason } from "./map-openai-finish-reason.js";

/** The stream ended without a finish reason: cut off, however cleanly the connection closed. */
export class OpenAIStreamTruncatedError extends Error {
  constructor() {
    super("the stream ended without a finish_reason");
    this.name = "OpenAIStreamTruncatedError";
  }
}

interface PendingCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Chunks into parts. Tool calls arrive as fragments keyed by `index` and are emitted whole once the
 * choice finishes; usage (asked for with `include_usage`) follows in a chunk without choices, so the
 * `finish` part waits for the end of the stream.
 */
export async function* parseOpenAIStream(chunks: AsyncIterable<ChatCompletionChunk>, generateId: () => string): AsyncGenerator<StreamPart> {
  const assembler = new ToolCallAssembler();
  let finishReason: string | null | undefined;
  let toolCallCount = 0;
  let usage: Usage | undefined;

  for await (const chunk of chunks) {
    if (chunk.usage) usage = { inputTokens: chunk.usage.prompt_tokens ?? 0, outputTokens: chunk.usage.completion_tokens ?? 0 };
    // Only the first choice is ours: we never ask for n > 1.
    const choice = chunk.choices?.find((candidate) => (candidate.index ?? 0) === 0);
    if (choice === undefined) continue;
    const delta = choice.delta ?? {};
    if (typeof delta.content === "string" && delta.content !== "") yield { type: "text-delta", text: delta.content };
    for (const fragment of delta.tool_calls ?? []) assembler.add(fragment);
    if (choice.finish_reason) {
      finishReason = choice.finish_reason;
      for (const toolCall of assembler.flush()) {
        toolCallCount++;
        // Some compatible servers send calls without ids; the caller needs one to answer each call.
        yield { type: "tool-call", toolCall: toolCall.id === "" ? { ...toolCall, id: generateId() } : toolCall };
      }
    }
  }
  if (finishReason === undefined) throw new OpenAIStreamTruncatedError();
  if (usage !== undefined) yield { type: "usage", usage };
  yield { type: "finish", finishReason: mapOpenAIFinishReason(finishReason, toolCallCount > 0) };
}

type ToolCallFragment = NonNullable<ChatCompletionChunk.Choice.Delta["tool_calls"]>[number];

export class ToolCallAssembler {
  private readonly done: PendingCall[] = [];
  private readonly open = new Map<number, PendingCall>();

  add(fragment: ToolCallFragment): void {
    const index = fragment.index ?? 0;
    let call = this.open.get(index);
    // Some servers number every call 0 and tell them apart only by a fresh id.
    if (call !== undefined && fragment.id && call.id !== "" && fragment.id !== call.id) {
      this.done.push(call);
      call = undefined;
    }
    if (call === undefined) {
      call = { id: "", name: "", arguments: "" };
      this.open.set(index, call);
    }
    if (fragment.id) call.id = fragment.id;
    if (fragment.function?.name && call.name === "") call.name = fragment.function.name;
    if (fragment.function?.arguments) call.arguments += fragment.function.arguments;
  }

  /** Complete calls in the order they were opened; a call without a name is not a call. */
  flush(): ToolCall[] {
    const calls = [...this.done, ...[...this.open.entries()].sort(([a], [b]) => a - b).map(([, call]) => call)];
    this.done.length = 0;
    this.open.clear();
    return calls.filter((call) => call.name !== "").map((call) => ({ id: call.id, name: call.name, arguments: call.arguments }));
  }
}
