import type { FinishReason, ToolCall, Usage } from "../../core/index.js";
import type { AnswerIdentity } from "../chat-wire.js";
import type { ResponsesEcho } from "./decode-responses-body.js";

export type ResponseStatus = "in_progress" | "completed" | "incomplete" | "failed";
type ItemStatus = "in_progress" | "completed" | "incomplete";

/** The ids of a response's output items, made from the response's own id so they are unique with it. */
export function itemIds(responseId: string): { message: string; call: (index: number) => string } {
  const stem = responseId.replace(/^resp_/, "");
  return { message: `msg_${stem}`, call: (index) => `fc_${stem}_${index}` };
}

export function messageItem(id: string, text: string, status: ItemStatus) {
  return { type: "message", id, status, role: "assistant", content: status === "in_progress" ? [] : [outputText(text)] };
}

export function outputText(text: string) {
  return { type: "output_text", text, annotations: [], logprobs: [] };
}

export function functionCallItem(id: string, call: ToolCall, status: ItemStatus) {
  return { type: "function_call", id, call_id: call.id, name: call.name, arguments: status === "in_progress" ? "" : call.arguments === "" ? "{}" : call.arguments, status };
}

/** A length cut is `incomplete` with its reason, as OpenAI reports it; every other end is `completed`. */
export function statusOf(reason: FinishReason | undefined): { status: ResponseStatus; incomplete_details: { reason: string } | null } {
  if (reason === "length") return { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } };
  if (reason === "content-filter") return { status: "incomplete", incomplete_details: { reason: "content_filter" } };
  return { status: "completed", incomplete_details: null };
}

/** The `response` object: the whole answer, or (in a stream's first events) its empty start. */
export function responseObject(
  identity: AnswerIdentity,
  echo: ResponsesEcho,
  state: { status: ResponseStatus; incomplete_details: { reason: string } | null },
  output: unknown[],
  usage: Usage | undefined | null,
  error: { code: string; message: string } | null = null,
) {
  return {
    id: identity.id,
    object: "response",
    created_at: identity.created,
    status: state.status,
    error,
    incomplete_details: state.incomplete_details,
    instructions: echo.instructions,
    max_output_tokens: echo.maxOutputTokens,
    model: identity.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    temperature: echo.temperature,
    text: echo.text,
    tool_choice: echo.toolChoice,
    tools: echo.tools,
    top_p: echo.topP,
    truncation: "disabled",
    usage: usage === null ? null : usageOf(usage),
    metadata: echo.metadata,
  };
}

function usageOf(usage: Usage | undefined) {
  const input = usage?.inputTokens ?? 0;
  const output = usage?.outputTokens ?? 0;
  return { input_tokens: input, input_tokens_details: { cached_tokens: 0 }, output_tokens: output, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: input + output };
}

/** A whole answer's output items: its text as one message (when there is text), then one `function_call` per call. */
export function outputItems(responseId: string, text: string, calls: readonly ToolCall[]): unknown[] {
  const ids = itemIds(responseId);
  const output: unknown[] = [];
  if (text !== "" || calls.length === 0) output.push(messageItem(ids.message, text, "completed"));
  calls.forEach((call, i) => output.push(functionCallItem(ids.call(i), call, "completed")));
  return output;
}
