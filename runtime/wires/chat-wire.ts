import type { ChatRequest } from "../chat-request.js";
import type { FinishReason, StreamPart, ToolCall, Usage } from "../core/index.js";
import type { MappedError } from "./mapped-error.js";

/** A client's request, decoded into the runtime's terms. */
export interface DecodedChat<Options = unknown> {
  /** As the client named it; undefined when absent (the default model). */
  model: string | undefined;
  stream: boolean;
  request: Omit<ChatRequest, "model" | "signal" | "stream">;
  /** What only this wire's encoder reads (OpenAI's `stream_options.include_usage`, say). */
  options: Options;
}

/** What every answer says about itself, whatever the wire. */
export interface AnswerIdentity {
  id: string;
  /** Seconds since the epoch. */
  created: number;
  /** The model as the client should read it. */
  model: string;
}

/** A whole answer, collected. */
export interface WholeAnswer {
  text: string;
  toolCalls: ToolCall[];
  usage: Usage | undefined;
  finishReason: FinishReason;
}

/** Writes one streamed answer: each part as it comes, then its end. */
export interface StreamEncoder {
  /** The text to send for a part, if it sends any. */
  part(part: StreamPart): string | undefined;
  /** The closing text of a complete answer (a final usage event, `[DONE]`, `message_stop`...). */
  end(usage: Usage | undefined, finishReason: FinishReason | undefined): string;
  /** The last event of a stream that failed after it started. */
  error(mapped: MappedError): string;
}

/**
 * One client dialect (OpenAI chat completions, Anthropic messages, ...): a decoder into the one internal
 * request and an encoder back. Every wire enters the same pipeline (`server/serve-chat.ts`).
 */
export interface ChatWire<Options = unknown> {
  readonly name: string;
  decode(body: unknown): DecodedChat<Options>;
  stream(identity: AnswerIdentity, options: Options): StreamEncoder;
  /** The JSON text of a whole answer. */
  whole(answer: WholeAnswer, identity: AnswerIdentity, options: Options): string;
  /** The body of an error answered with an HTTP status. */
  errorBody(mapped: MappedError): unknown;
  /** The last event of a stream that failed after it started. */
  errorEvent(mapped: MappedError): string;
  /** The answer's id in this wire's style, from the request id. */
  answerId(requestId: string): string;
}
