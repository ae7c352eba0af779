import type { FinishReason, ToolCall, Usage } from "../../core/index.js";
import { toOpenAIFinishReason } from "./finish-reason.js";
import type { ErrorBody } from "./error-body.js";

/**
 * Writes `chat.completion.chunk` SSE lines by concatenation around a prefix built once per response:
 * a streamed token costs one `JSON.stringify` of its text, not a chunk object per token.
 */
export class CompletionChunks {
  private readonly head: string;
  private roleSent = false;
  private toolIndex = 0;

  constructor(id: string, created: number, model: string) {
    this.head = `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"choices":[`;
  }

  text(text: string): string {
    return `${this.head}{"index":0,"delta":{${this.role()}"content":${JSON.stringify(text)}},"logprobs":null,"finish_reason":null}]}\n\n`;
  }

  toolCall(call: ToolCall): string {
    const delta = `{"index":${this.toolIndex++},"id":${JSON.stringify(call.id)},"type":"function","function":{"name":${JSON.stringify(call.name)},"arguments":${JSON.stringify(call.arguments)}}}`;
    return `${this.head}{"index":0,"delta":{${this.role()}"tool_calls":[${delta}]},"logprobs":null,"finish_reason":null}]}\n\n`;
  }

  finish(reason: FinishReason): string {
    const delta = this.roleSent ? "{}" : `{"role":"assistant","content":""}`;
    this.roleSent = true;
    return `${this.head}{"index":0,"delta":${delta},"logprobs":null,"finish_reason":"${toOpenAIFinishReason(reason)}"}]}\n\n`;
  }

  /** The last chunk `stream_options.include_usage` asks for: no choices, the totals. */
  usage(usage: Usage | undefined): string {
    const input = usage?.inputTokens ?? 0;
    const output = usage?.outputTokens ?? 0;
    return `${this.head}],"usage":{"prompt_tokens":${input},"completion_tokens":${output},"total_tokens":${input + output}${usage?.estimated ? `,"estimated":true` : ""}}}\n\n`;
  }

  private role(): string {
    if (this.roleSent) return "";
    this.roleSent = true;
    return `"role":"assistant",`;
  }
}

export const DONE = "data: [DONE]\n\n";

export function errorEvent(body: ErrorBody): string {
  return `data: ${JSON.stringify(body)}\n\n`;
}
