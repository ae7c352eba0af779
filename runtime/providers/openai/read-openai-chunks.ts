import type { ChatCompletionChunk } from "openai/resources/chat/completions";
import { createParser } from "eventsource-parser";
import type { UpstreamResponse } from "../shared/upstream-transport.js";
import { OpenAIStreamError } from "./openai-wire-errors.js";

/**
 * The SSE body of a streamed completion as chunk objects, parsed as the text arrives. Everything after
 * `[DONE]` is read but ignored; a `data:` line that is not JSON throws a `SyntaxError`, an
 * `{"error": ...}` object an `OpenAIStreamError`.
 */
export async function* readOpenAIChunks(response: UpstreamResponse): AsyncGenerator<ChatCompletionChunk> {
  const pending: string[] = [];
  let done = false;
  const parser = createParser({
    onEvent(event) {
      if (done) return;
      if (event.data.startsWith("[DONE]")) done = true;
      else pending.push(event.data);
    },
  });
  const decoder = new TextDecoder();
  for await (const bytes of response.body) {
    parser.feed(decoder.decode(bytes, { stream: true }));
    if (pending.length === 0) continue;
    for (let i = 0; i < pending.length; i++) {
      const chunk = JSON.parse(pending[i]!) as ChatCompletionChunk & { error?: unknown };
      if (chunk?.error) throw new OpenAIStreamError(chunk.error, response.headers());
      yield chunk;
    }
    pending.length = 0;
  }
}
