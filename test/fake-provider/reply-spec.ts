/**
 * What a test asks the fake to do for one request: a reply in neutral terms (the wire encoders turn it
 * into OpenAI, Ollama or Anthropic bytes), optionally spoiled by a fault.
 */

export type WireFormat = "openai" | "ollama" | "anthropic";

/** Named as OpenAI names them; each encoder maps them to its own vocabulary. */
export type FakeFinishReason = "stop" | "length" | "tool_calls" | "content_filter";

export interface FakeToolCall {
  name: string;
  /** An object, or JSON text sent exactly as given (so a test can send broken arguments). */
  arguments?: Record<string, unknown> | string;
  /** Defaults to a generated id in the format's style; Ollama only sends an id when one is given here. */
  id?: string;
  /** How many fragments the arguments text is streamed in (OpenAI, Anthropic). Default 3. */
  fragments?: number;
}

export interface FakeUsage {
  inputTokens: number;
  outputTokens: number;
}

/**
 * A fault. `afterChunks` counts frames that carry model output (a text piece or a tool-call piece);
 * framing such as OpenAI's role chunk, Anthropic's message_start or ping never counts. Without
 * `afterChunks` the fault strikes before the response headers.
 */
export type FakeFault =
  /** Any status, headers and body; without `body` the format's own error JSON is built from `message`. */
  | { fault: "status"; status: number; headers?: Record<string, string>; body?: string | object; message?: string; errorType?: string }
  /** Destroy the socket: before headers, or (with `afterChunks`) mid-stream with no final chunk. */
  | { fault: "reset"; afterChunks?: number }
  /** Never answer (before headers, or stall mid-stream) until the client goes away or the fake closes. */
  | { fault: "hang"; afterChunks?: number }
  /** Broken JSON: the whole non-streaming body, or one SSE data line / NDJSON line after `afterChunks`. */
  | { fault: "malformed"; afterChunks?: number }
  /** An error event inside a 200 stream, in the format's own shape, then the stream ends. */
  | { fault: "stream-error"; afterChunks?: number; message?: string; errorType?: string };

export interface FakeReply {
  /** A string is split at word boundaries (or into `chunks` equal pieces); an array is sent chunk for chunk. */
  text?: string | readonly string[];
  chunks?: number;
  toolCalls?: readonly FakeToolCall[];
  /** Default: 10 input tokens, one output token per streamed output frame. */
  usage?: FakeUsage;
  /** Default: `tool_calls` when there are tool calls, else `stop`. */
  finishReason?: FakeFinishReason;
  /** Wait before the response headers. */
  delayMs?: number;
  /** Wait between streamed frames. */
  chunkDelayMs?: number;
  fault?: FakeFault;
  /** Extra response headers. */
  headers?: Record<string, string>;
}

/** A bare string is a text reply; a bare fault is a reply that fails. */
export type Reply = string | FakeReply | FakeFault;

export interface RecordedRequest {
  /** The wire format the path belongs to, or undefined for a path the fake does not serve. */
  format: WireFormat | undefined;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or undefined for a GET or a body that is not JSON. */
  body: unknown;
  model: string | undefined;
  stream: boolean;
  /** Milliseconds since the epoch, from the fake's clock. */
  at: number;
  /** The client closed the connection before the response ended (the fake's own resets do not count). */
  aborted: boolean;
  /** The response was written completely. */
  completed: boolean;
  /** Set once the connection for this request is done with, whatever the outcome. */
  settled: boolean;
  /** The HTTP status sent, if headers went out. */
  status: number | undefined;
}

/** A scripted behaviour: a fixed reply, or one computed from the request (echo, tool loop, ...). */
export type ReplySource = Reply | ((request: RecordedRequest) => Reply);
