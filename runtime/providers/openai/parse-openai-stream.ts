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
 * Chunks into parts, one chunk at a time (no stream of its own, so the adapter's reader is the only
 * generator per call). Tool calls arrive as fragments keyed by `index` and are emitted whole once the
 * choice finishes; usage (asked for with `include_usage`) follows in a chunk without choices, so the
 * `finish` part waits for the end of the stream.
 */
export class OpenAIStreamParser {
  private readonly assembler = new ToolCallAssembler();
  private finishReason: string | null | undefined;
  private toolCallCount = 0;
  private usage: Usage | undefined;

  constructor(private readonly generateId: () => string) {}

  /** The parts one chunk makes, appended to `out`. */
  push(chunk: ChatCompletionChunk, out: StreamPart[]): void {
    if (chunk.usage) this.usage = { inputTokens: chunk.usage.prompt_tokens ?? 0, outputTokens: chunk.usage.completion_tokens ?? 0 };
    // Only the first choice is ours: we never ask for n > 1.
    const choices = chunk.choices;
    if (choices === undefined || choices === null) return;
    const choice = choices.length === 1 && (choices[0]!.index ?? 0) === 0 ? choices[0] : choices.find((candidate) => (candidate.index ?? 0) === 0);
    if (choice === undefined) return;
    const delta = choice.delta ?? {};
    if (typeof delta.content === "string" && delta.content !== "") out.push({ type: "text-delta", text: delta.content });
    if (delta.tool_calls) for (const fragment of delta.tool_calls) this.assembler.add(fragment);
    if (choice.finish_reason) {
      this.finishReason = choice.finish_reason;
      for (const toolCall of this.assembler.flush()) {
        this.toolCallCount++;
        // Some compatible servers send calls without ids; the caller needs one to answer each call.
        out.push({ type: "tool-call", toolCall: toolCall.id === "" ? { ...toolCall, id: this.generateId() } : toolCall });
      }
    }
  }

  /** The closing parts, once the body has ended; a stream without a finish reason was cut off. */
  end(out: StreamPart[]): void {
    if (this.finishReason === undefined) throw new OpenAIStreamTruncatedError();
    if (this.usage !== undefined) out.push({ type: "usage", usage: this.usage });
    out.push({ type: "finish", finishReason: mapOpenAIFinishReason(this.finishReason, this.toolCallCount > 0) });
  }
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
