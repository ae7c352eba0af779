import { randomUUID } from "node:crypto";
import type { ModelAdapter, ModelCallOptions, StreamPart } from "../core/index.js";
import { toPromptTools } from "./prompt-tool-format.js";
import { ToolCallTextParser, type ParsedPiece } from "./tool-call-text-parser.js";

/**
 * A model with `tool_call_strategy: prompt_based`, as an adapter with tools: each call describes the
 * request's tools in the system prompt instead of the provider's tool field, and the `<tool_call>`
 * blocks of the answer come out as `tool-call` parts (with finish reason `tool-calls`), so the tool
 * loop and the client see what a model with native tools would give them. Native tool calls the
 * server sends anyway pass through.
 */
export function promptBasedAdapter(inner: ModelAdapter, newId: () => string = () => `call_${randomUUID()}`): ModelAdapter {
  return {
    provider: inner.provider,
    modelId: inner.modelId,
    stream: (options: ModelCallOptions) => readToolCalls(inner.stream(toPromptTools(options)), newId),
    ...(inner.collect
      ? { collect: async (options: ModelCallOptions) => collect(readToolCalls(fromArray(await inner.collect!(toPromptTools(options))), newId)) }
      : {}),
    ...(inner.preview ? { preview: (options: ModelCallOptions) => inner.preview!(toPromptTools(options)) } : {}),
    ...(inner.check ? { check: (signal?: AbortSignal) => inner.check!(signal) } : {}),
    ...(inner.close ? { close: () => inner.close!() } : {}),
  };
}

async function* readToolCalls(parts: AsyncIterable<StreamPart>, newId: () => string): AsyncIterable<StreamPart> {
  const parser = new ToolCallTextParser();
  let calls = 0;
  const emit = function* (pieces: ParsedPiece[]): Generator<StreamPart> {
    for (const piece of pieces) {
      if (piece.type === "call") {
        calls++;
        yield { type: "tool-call", toolCall: { id: newId(), name: piece.name, arguments: piece.arguments } };
      } else if (calls === 0 || piece.text.trim() !== "") {
        // Line breaks between and after the blocks are layout, not an answer.
        yield { type: "text-delta", text: piece.text };
      }
    }
  };
  for await (const part of parts) {
    if (part.type === "text-delta") {
      yield* emit(parser.feed(part.text));
      continue;
    }
    yield* emit(parser.end());
    if (part.type === "tool-call") calls++;
    if (part.type === "finish" && calls > 0 && (part.finishReason === "stop" || part.finishReason === "other")) {
      yield { type: "finish", finishReason: "tool-calls" };
    } else yield part;
  }
  yield* emit(parser.end());
}

async function* fromArray(parts: StreamPart[]): AsyncIterable<StreamPart> {
  yield* parts;
}

async function collect(parts: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const all: StreamPart[] = [];
  for await (const part of parts) all.push(part);
  return all;
}
