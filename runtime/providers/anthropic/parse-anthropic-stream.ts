import type { RawMessageStreamEvent } from "@anthropic-ai/sdk/resources/messages";
import type { StreamPart } from "../../core/stream-part.js";
import { mapAnthropicStopReason } from "./map-anthropic-stop-reason.js";

/** The stream ended without `message_stop`. */
export class AnthropicStreamTruncatedError extends Error {
  constructor() {
    super("the stream ended without message_stop");
    this.name = "AnthropicStreamTruncatedError";
  }
}

interface OpenToolUse {
  id: string;
  name: string;
  json: string;
  /** The input given whole in the start event, which some compatible servers do instead of deltas. */
  input: unknown;
}

/**
 * Events into parts. Text deltas pass straight through; a tool_use block's input arrives as JSON
 * fragments and becomes one tool-call part when its block stops. Input tokens come with
 * `message_start`, the final output count and stop reason with `message_delta`.
 */
export async function* parseAnthropicStream(events: AsyncIterable<RawMessageStreamEvent>): AsyncGenerator<StreamPart> {
  const toolUses = new Map<number, OpenToolUse>();
  let inputTokens = 0;
  let outputTokens = 0;
  let stopReason: string | null | undefined;

  for await (const event of events) {
    switch (event.type) {
      case "message_start": {
        const usage = event.message.usage;
        // Cached prompt tokens are still input the model read.
        inputTokens = (usage.input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
        outputTokens = usage.output_tokens ?? 0;
        break;
      }
      case "content_block_start": {
        const block = event.content_block;
        if (block.type === "tool_use") toolUses.set(event.index, { id: block.id, name: block.name, json: "", input: block.input });
        else if (block.type === "text" && block.text !== "") yield { type: "text-delta", text: block.text };
        break;
      }
      case "content_block_delta": {
        const delta = event.delta;
        if (delta.type === "text_delta") {
          if (delta.text !== "") yield { type: "text-delta", text: delta.text };
        } else if (delta.type === "input_json_delta") {
          const open = toolUses.get(event.index);
          if (open !== undefined) open.json += delta.partial_json;
        }
        break;
      }
      case "content_block_stop": {
        const open = toolUses.get(event.index);
        if (open === undefined) break;
        toolUses.delete(event.index);
        yield { type: "tool-call", toolCall: { id: open.id, name: open.name, arguments: open.json === "" ? wholeInput(open.input) : open.json } };
        break;
      }
      case "message_delta":
        stopReason = event.delta.stop_reason;
        if (typeof event.usage?.output_tokens === "number") outputTokens = event.usage.output_tokens;
        if (typeof event.usage?.input_tokens === "number" && event.usage.input_tokens > inputTokens) inputTokens = event.usage.input_tokens;
        break;
      case "message_stop":
        yield { type: "usage", usage: { inputTokens, outputTokens } };
        yield { type: "finish", finishReason: mapAnthropicStopReason(stopReason) };
        return;
    }
  }
  throw new AnthropicStreamTruncatedError();
}

/** A tool without parameters streams no input at all; its input is still an object. */
function wholeInput(input: unknown): string {
  return typeof input === "object" && input !== null && Object.keys(input).length > 0 ? JSON.stringify(input) : "{}";
}

