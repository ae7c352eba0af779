import type { FinishReason, ToolCall, Usage } from "../../core/index.js";
import type { AnswerIdentity, StreamEncoder } from "../chat-wire.js";
import type { MappedError } from "../mapped-error.js";
import { PartWriter } from "../part-writer.js";
import type { ResponsesEcho } from "./decode-responses-body.js";
import { functionCallItem, itemIds, messageItem, outputText, responseObject, statusOf } from "./response-object.js";

/**
 * The Responses API's stream: `response.created` and `response.in_progress`; per output item
 * `response.output_item.added`, then for text `response.content_part.added`, its
 * `response.output_text.delta`s, `response.output_text.done` and `response.content_part.done`, for a
 * tool call one `response.function_call_arguments.delta` with its whole arguments and
 * `response.function_call_arguments.done`; `response.output_item.done`; and last
 * `response.completed` (or `response.incomplete`) with the whole response and usage; a failure after
 * output is `response.failed`. Every event carries its `sequence_number`.
 */
export function responseEvents(identity: AnswerIdentity, echo: ResponsesEcho): StreamEncoder {
  const ids = itemIds(identity.id);
  const output: unknown[] = [];
  let sequence = 0;
  let started = false;
  let text: string | undefined;
  let calls = 0;

  const event = (type: string, fields: Record<string, unknown>): string => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...fields })}\n\n`;
  const start = (): string => {
    if (started) return "";
    started = true;
    const response = responseObject(identity, echo, { status: "in_progress", incomplete_details: null }, [], null);
    return event("response.created", { response }) + event("response.in_progress", { response });
  };
  const closeText = (): string => {
    if (text === undefined) return "";
    const done = text;
    text = undefined;
    const index = output.length;
    const item = messageItem(ids.message, done, "completed");
    output.push(item);
    const at = { item_id: ids.message, output_index: index, content_index: 0 };
    return (
      event("response.output_text.done", { ...at, text: done, logprobs: [] }) +
      event("response.content_part.done", { ...at, part: outputText(done) }) +
      event("response.output_item.done", { output_index: index, item })
    );
  };
  const textAt = () => ({ item_id: ids.message, output_index: output.length, content_index: 0 });
  const openText = (): string => {
    if (text !== undefined) return "";
    text = "";
    return (
      event("response.output_item.added", { output_index: output.length, item: messageItem(ids.message, "", "in_progress") }) +
      event("response.content_part.added", { ...textAt(), part: outputText("") })
    );
  };
  const delta = (piece: string): string => {
    const out = start() + openText();
    text += piece;
    return out + event("response.output_text.delta", { ...textAt(), delta: piece, logprobs: [] });
  };
  const tool = (call: ToolCall): string => {
    const out = start() + closeText();
    const id = ids.call(calls++);
    const index = output.length;
    const item = functionCallItem(id, call, "completed");
    output.push(item);
    const at = { item_id: id, output_index: index };
    return (
      out +
      event("response.output_item.added", { output_index: index, item: functionCallItem(id, call, "in_progress") }) +
      event("response.function_call_arguments.delta", { ...at, delta: item.arguments }) +
      event("response.function_call_arguments.done", { ...at, name: call.name, arguments: item.arguments }) +
      event("response.output_item.done", { output_index: index, item })
    );
  };

  const writer = new PartWriter({ text: delta, tool, start });
  return {
    part: (part) => writer.part(part),
    end(usage: Usage | undefined, reason: FinishReason | undefined) {
      let out = start();
      // An answer with neither text nor calls still has its (empty) message, as a whole answer does.
      if (output.length === 0) out += openText();
      out += closeText();
      const state = statusOf(reason ?? writer.finish);
      const response = responseObject(identity, echo, state, output, usage);
      return out + event(state.status === "completed" ? "response.completed" : "response.incomplete", { response });
    },
    // A failure after output: the response fails with what it had, its open message cut short.
    error(mapped) {
      const cut = text === undefined ? [] : [messageItem(ids.message, text, "incomplete")];
      const failure = { code: mapped.code ?? "server_error", message: mapped.message };
      const response = responseObject(identity, echo, { status: "failed", incomplete_details: null }, [...output, ...cut], null, failure);
      return start() + event("response.failed", { response });
    },
  };
}

/** OpenAI's stream error event, for a failure the stream's own encoder did not see. */
export function errorEvent(mapped: MappedError, sequence = 0): string {
  return `event: error\ndata: ${JSON.stringify({ type: "error", code: mapped.code ?? mapped.type, message: mapped.message, param: mapped.param, sequence_number: sequence })}\n\n`;
}
