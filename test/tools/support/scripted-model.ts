import type { ModelAdapter, ModelCallOptions, StreamPart, ToolCall } from "../../../runtime/core/index.js";

/** Decides one model turn from the request it was given; may assert on that request. */
export type ScriptedTurn = (request: ModelCallOptions) => StreamPart[] | Promise<StreamPart[]>;

/**
 * A model at the adapter boundary that plays a fixed script: turn n answers the n-th call.
 * Every request is recorded so tests can check what the model was offered and sent.
 */
export class ScriptedModel implements ModelAdapter {
  readonly provider = "scripted";
  readonly modelId = "scripted-1";
  readonly requests: ModelCallOptions[] = [];

  constructor(private readonly turns: ScriptedTurn[]) {}

  async *stream(options: ModelCallOptions): AsyncIterable<StreamPart> {
    const turn = this.turns[this.requests.length];
    this.requests.push({ ...options, messages: options.messages.map((message) => ({ ...message })) });
    if (!turn) throw new Error(`unexpected model call #${this.requests.length}`);
    for (const part of await turn(options)) yield part;
  }
}

let nextId = 0;

export function toolCall(name: string, args: unknown, id = `call_${++nextId}`): ToolCall {
  return { id, name, arguments: typeof args === "string" ? args : JSON.stringify(args) };
}

/** A turn that asks for tools. */
export function askTools(...calls: ToolCall[]): StreamPart[] {
  return [
    ...calls.map((call): StreamPart => ({ type: "tool-call", toolCall: call })),
    { type: "usage", usage: { inputTokens: 10, outputTokens: 5 } },
    { type: "finish", finishReason: "tool-calls" },
  ];
}

/** A turn that answers in text. */
export function say(text: string): StreamPart[] {
  return [
    { type: "text-delta", text },
    { type: "usage", usage: { inputTokens: 20, outputTokens: 7 } },
    { type: "finish", finishReason: "stop" },
  ];
}

export async function collect(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

/** The tool message answering a call, from the request the model received. */
export function toolReply(request: ModelCallOptions | undefined, callId: string) {
  return request?.messages.find((message) => message.role === "tool" && message.toolCallId === callId);
}
