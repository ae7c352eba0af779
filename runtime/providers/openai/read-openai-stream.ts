import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { StringDecoder } from "node:string_decoder";
import { createParser, type EventSourceParser } from "eventsource-parser";
import type { StreamPart } from "../../core/stream-part.js";
import type { UpstreamResponse } from "../shared/upstream-transport.js";
import { OpenAIStreamError } from "./openai-wire-errors.js";
import { OpenAIStreamParser } from "./parse-openai-stream.js";

/**
 * The SSE body of a streamed completion, turned into parts read by read: `feed` takes the bytes of one
 * read and appends the parts they complete to `parts`. Everything after `[DONE]` is ignored. A `data:`
 * line that is not JSON fails with a `SyntaxError`, an `{"error": ...}` object with an
 * `OpenAIStreamError`, each thrown after the parts of the events before it.
 */
class OpenAISseReader {
  readonly parts: StreamPart[] = [];
  private readonly chunks: OpenAIStreamParser;
  private readonly parser: EventSourceParser;
  // StringDecoder rather than TextDecoder: the same care for a character split across reads, at a
  // fraction of the cost per read.
  private readonly decoder = new StringDecoder("utf8");
  private done = false;
  private failure: unknown;

  constructor(response: UpstreamResponse, generateId: () => string) {
    this.chunks = new OpenAIStreamParser(generateId);
    this.parser = createParser({
      onEvent: (event) => {
        if (this.done) return;
        if (event.data.startsWith("[DONE]")) {
          this.done = true;
          return;
        }
        try {
          const chunk = JSON.parse(event.data) as ChatCompletionChunk & { error?: unknown };
          if (chunk?.error) throw new OpenAIStreamError(chunk.error, response.headers());
          this.chunks.push(chunk, this.parts);
        } catch (error) {
          this.done = true;
          this.failure = error;
        }
      },
    });
  }

  /** The parts of one read are in `parts`; a failure among them is thrown once they have been taken. */
  feed(bytes: Uint8Array): void {
    this.parser.feed(this.decoder.write(bytes as Buffer));
  }

  throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  /** The body has ended: its last parts (usage, finish), or the truncation error. */
  end(): void {
    this.chunks.end(this.parts);
  }
}

/**
 * The call, then its SSE body as parts, parsed as the bytes arrive: one generator for the whole body.
 * Leaving the `for await` over the body early (a return, a throw) destroys the body, which closes the
 * upstream connection: the adapter relies on it (`cancelsItself`).
 */
export async function* readOpenAIStream(respond: () => Promise<UpstreamResponse>, generateId: () => string): AsyncGenerator<StreamPart> {
  const response = await respond();
  const reader = new OpenAISseReader(response, generateId);
  const parts = reader.parts;
  for await (const bytes of response.body) {
    reader.feed(bytes);
    if (parts.length > 0) {
      for (let i = 0; i < parts.length; i++) yield parts[i]!;
      parts.length = 0;
    }
    reader.throwIfFailed();
  }
  reader.end();
  yield* parts;
}

/**
 * The same body read whole: every part in one array, no step per part. `onOutput` is called for each
 * read that brought output, so the caller's first-token and idle deadlines see a live model. An error
 * the stream reports is thrown (nothing has reached a reader yet).
 */
export async function collectOpenAIStream(response: UpstreamResponse, generateId: () => string, onOutput: (() => void) | undefined): Promise<StreamPart[]> {
  const reader = new OpenAISseReader(response, generateId);
  const parts = reader.parts;
  for await (const bytes of response.body) {
    const before = parts.length;
    reader.feed(bytes);
    reader.throwIfFailed();
    if (onOutput !== undefined && hasOutput(parts, before)) onOutput();
  }
  reader.end();
  return parts;
}

function hasOutput(parts: readonly StreamPart[], from: number): boolean {
  for (let i = from; i < parts.length; i++) {
    const type = parts[i]!.type;
    if (type === "text-delta" || type === "tool-call") return true;
  }
  return false;
}
