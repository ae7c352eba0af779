import type { ReplyPlan } from "./reply-plan.js";
import type { WireFormat } from "./reply-spec.js";

/**
 * One piece of a streamed response as bytes. `head` and `tail` are framing (role chunk, message_start,
 * finish, [DONE]); `output` carries model output and is what a fault's `afterChunks` counts.
 */
export interface Frame {
  kind: "framing" | "output" | "tail";
  bytes: Buffer;
  /** Present on text frames when stamping: the send time is written between the two halves. */
  stamped?: { before: string; after: string };
}

export interface EncodeContext {
  model: string;
  /** Sequence number of the response, for ids. */
  seq: number;
  /** Milliseconds since the epoch. */
  now: number;
  /** OpenAI `stream_options.include_usage`. */
  includeUsage: boolean;
  /** Build text frames with a slot for the send time. */
  stamp: boolean;
}

export interface WireEncoder {
  readonly format: WireFormat;
  readonly jsonType: string;
  readonly streamType: string;
  complete(plan: ReplyPlan, ctx: EncodeContext): Buffer;
  stream(plan: ReplyPlan, ctx: EncodeContext): Frame[];
  /** The body of an HTTP error response; `errorType` overrides the type derived from the status. */
  errorBody(status: number, message: string, errorType?: string): Buffer;
  /** An error event inside a 200 stream. */
  streamError(message: string, errorType?: string): Buffer;
  /** A stream frame whose JSON does not parse. */
  readonly malformedFrame: Buffer;
}

const STAMP_SLOT = "@@lf-stamp@@";

/** A text frame; when stamping, the text is prefixed with a slot that is filled at send time. */
export function textFrame(text: string, stamp: boolean, encode: (text: string) => string): Frame {
  if (!stamp) return { kind: "output", bytes: Buffer.from(encode(text)) };
  const encoded = encode(STAMP_SLOT + text);
  const at = encoded.indexOf(STAMP_SLOT);
  const before = encoded.slice(0, at);
  const after = encoded.slice(at + STAMP_SLOT.length);
  return { kind: "output", bytes: Buffer.from(before + after), stamped: { before, after } };
}

export function sseData(json: string): string {
  return `data: ${json}\n\n`;
}

export function sseEvent(event: string, json: string): string {
  return `event: ${event}\ndata: ${json}\n\n`;
}
