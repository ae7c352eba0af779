import type { ChatCompletion } from "openai/resources/chat/completions";
import type { StreamPart } from "../../core/stream-part.js";
import type { UpstreamResponse } from "../shared/upstream-transport.js";
import { mapOpenAIFinishReason } from "./map-openai-finish-reason.js";
import { OpenAIStreamError } from "./openai-wire-errors.js";

/** A 200 body that is JSON but not a completion. */
export class OpenAIAnswerShapeError extends SyntaxError {
  constructor(detail: string) {
    super(`the answer is not a chat completion: ${detail}`);
    this.name = "OpenAIAnswerShapeError";
  }
}

/**
 * A whole (non-streamed) completion as the parts a stream of it would have made: the text, the tool
 * calls, the usage and the finish reason, read with one `JSON.parse`. A body that is not JSON fails with
 * a `SyntaxError`, an `{"error": ...}` object with an `OpenAIStreamError`, as in a stream.
 */
export async function readOpenAIAnswer(response: UpstreamResponse, generateId: () => string): Promise<StreamPart[]> {
  const body = JSON.parse(await response.text()) as Partial<ChatCompletion> & { error?: unknown };
  if (body === null || typeof body !== "object") throw new OpenAIAnswerShapeError(`got ${JSON.stringify(body)}`);
  if (body.error) throw new OpenAIStreamError(body.error, response.headers());
  const choices = body.choices;
  const choice = Array.isArray(choices) ? (choices.find((candidate) => (candidate.index ?? 0) === 0) ?? choices[0]) : undefined;
  if (choice === undefined) throw new OpenAIAnswerShapeError("no choices");
  const message = choice.message ?? ({} as Partial<ChatCompletion.Choice["message"]>);
  const parts: StreamPart[] = [];
  if (typeof message.content === "string" && message.content !== "") parts.push({ type: "text-delta", text: message.content });
  let calls = 0;
  for (const call of message.tool_calls ?? []) {
    if (call.type !== undefined && call.type !== "function") continue;
    const fn = (call as { function?: { name?: string; arguments?: string } }).function;
    if (!fn?.name) continue;
    calls++;
    // Some compatible servers send calls without ids; the caller needs one to answer each call.
    parts.push({ type: "tool-call", toolCall: { id: call.id || generateId(), name: fn.name, arguments: fn.arguments ?? "" } });
  }
  const usage = body.usage;
  if (usage) parts.push({ type: "usage", usage: { inputTokens: usage.prompt_tokens ?? 0, outputTokens: usage.completion_tokens ?? 0 } });
  // A complete body is a complete answer: a server that names no reason has still stopped.
  parts.push({ type: "finish", finishReason: mapOpenAIFinishReason(choice.finish_reason ?? "stop", calls > 0) });
  return parts;
}
