import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { createParser } from "eventsource-parser";
import type { StreamPart } from "../../core/stream-part.js";
import type { UpstreamResponse } from "../shared/upstream-transport.js";
import { OpenAIStreamError } from "./openai-wire-errors.js";
import { OpenAIStreamParser } from "./parse-openai-stream.js";

/**
 * The call, then the SSE body of its streamed completion as parts, parsed as the bytes arrive: one generator for the
 * whole body, the events of each read turned into parts before they are yielded. Everything after
 * `[DONE]` is read but ignored. A `data:` line that is not JSON fails with a `SyntaxError`, an
 * `{"error": ...}` object with an `OpenAIStreamError`, each after the parts of the events before it.
 * Leaving the `for await` over the body early (a return, a throw) destroys the body, which closes the
 * upstream connection: the adapter relies on it (`cancelsItself`).
 */
export async function* readOpenAIStream(respond: () => Promise<UpstreamResponse>, generateId: () => string): AsyncGenerator<StreamPart> {
  const response = await respond();
  const chunks = new OpenAIStreamParser(generateId);
  const parts: StreamPart[] = [];
  let done = false;
  let failure: unknown;
  const parser = createParser({
    onEvent(event) {
      if (done) return;
      if (event.data.startsWith("[DONE]")) {
        done = true;
        return;
      }
      try {
        const chunk = JSON.parse(event.data) as ChatCompletionChunk & { error?: unknown };
        if (chunk?.error) throw new OpenAIStreamError(chunk.error, response.headers());
        chunks.push(chunk, parts);
      } catch (error) {
        done = true;
        failure = error;
      }
    },
  });
  const decoder = new TextDecoder();
  for await (const bytes of response.body) {
    parser.feed(decoder.decode(bytes, { stream: true }));
    if (parts.length > 0) {
      for (let i = 0; i < parts.length; i++) yield parts[i]!;
      parts.length = 0;
    }
    if (failure !== undefined) throw failure;
  }
  chunks.end(parts);
  yield* parts;
}
