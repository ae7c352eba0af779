import type { DecodedChat } from "../chat-wire.js";
import type { ChatMessage, ContentPart, ResponseFormat, ToolChoice, ToolDefinition } from "../../core/index.js";
import { ApiError, invalidParam } from "../api-error.js";
import { isObject, optionalBoolean, optionalString, samplingParameters, type Json } from "../json-fields.js";

/** What the `response` object echoes back of the request. */
export interface ResponsesEcho {
  instructions: string | null;
  tools: Json[];
  toolChoice: unknown;
  temperature: number | null;
  topP: number | null;
  maxOutputTokens: number | null;
  text: { format: Json };
  metadata: Json;
}

/** Fields that need responses kept on the server, which lf does not keep. */
const STORED_STATE = ["previous_response_id", "conversation"] as const;

/**
 * OpenAI's `POST /v1/responses` body, decoded into the runtime's request: `instructions` becomes a
 * system message; `input` is a string or items (messages with text and image parts, `function_call`
 * and `function_call_output`); function tools, `tool_choice`, `text.format`, `max_output_tokens` and
 * sampling map to their chat equivalents.
 */
export function decodeResponsesBody(body: unknown): DecodedChat<ResponsesEcho> {
  if (!isObject(body)) throw new ApiError(400, "The request body must be a JSON object.", "invalid_request_error", "invalid_body");
  for (const field of STORED_STATE) {
    if (body[field] !== undefined && body[field] !== null) {
      throw invalidParam(field, `${field} is not supported: lf does not store responses; send the whole conversation as input items.`);
    }
  }
  if (body.background === true) throw invalidParam("background", "background responses are not supported.");
  optionalBoolean(body, "store");
  const model = optionalString(body, "model");
  const stream = optionalBoolean(body, "stream") ?? false;
  const instructions = optionalString(body, "instructions");
  const messages: ChatMessage[] = instructions === undefined || instructions === "" ? [] : [{ role: "system", content: instructions }];
  parseInput(body.input, messages);

  const request: DecodedChat["request"] = { messages };
  const parameters = samplingParameters(body, "max_output_tokens");
  if (parameters) request.parameters = parameters;
  const tools = body.tools === undefined || body.tools === null ? [] : parseTools(body.tools);
  if (tools.length > 0) request.tools = tools.map((t) => t.definition);
  if (body.tool_choice !== undefined && body.tool_choice !== null) request.toolChoice = parseToolChoice(body.tool_choice);
  const format = textFormat(body.text);
  if (format !== undefined) request.responseFormat = format.parsed;

  const options: ResponsesEcho = {
    instructions: instructions ?? null,
    tools: tools.map((t) => t.echo),
    toolChoice: body.tool_choice ?? "auto",
    temperature: parameters?.temperature ?? null,
    topP: parameters?.top_p ?? null,
    maxOutputTokens: parameters?.max_tokens ?? null,
    text: { format: format?.echo ?? { type: "text" } },
    metadata: isObject(body.metadata) ? body.metadata : {},
  };
  return { model: model === "" ? undefined : model, stream, request, options };
}

function parseInput(value: unknown, messages: ChatMessage[]): void {
  if (typeof value === "string") {
    messages.push({ role: "user", content: value });
    return;
  }
  if (!Array.isArray(value) || value.length === 0) throw invalidParam("input", "input must be a string or a non-empty array of items.");
  value.forEach((item: unknown, i) => parseItem(item, `input.${i}`, messages));
}

function parseItem(item: unknown, at: string, messages: ChatMessage[]): void {
  if (!isObject(item)) throw invalidParam(at, `${at} must be an object.`);
  const type = item.type ?? "message";
  switch (type) {
    case "message":
      messages.push(parseMessage(item, at));
      return;
    case "function_call": {
      if (typeof item.call_id !== "string" || typeof item.name !== "string") throw invalidParam(at, `${at} needs a string call_id and name.`);
      if (typeof item.arguments !== "string") throw invalidParam(`${at}.arguments`, `${at}.arguments must be a JSON string.`);
      const call = { id: item.call_id, name: item.name, arguments: item.arguments };
      // Calls of one turn follow its text (or each other): they join the assistant's last message.
      const last = messages[messages.length - 1];
      if (last?.role === "assistant") last.toolCalls = [...(last.toolCalls ?? []), call];
      else messages.push({ role: "assistant", content: null, toolCalls: [call] });
      return;
    }
    case "function_call_output": {
      if (typeof item.call_id !== "string") throw invalidParam(`${at}.call_id`, `${at}.call_id must be a string.`);
      messages.push({ role: "tool", toolCallId: item.call_id, content: outputText(item.output, `${at}.output`) });
      return;
    }
    case "reasoning":
      return;
    case "item_reference":
      throw invalidParam(`${at}.type`, `${at}: item references need stored responses, which lf does not keep; send the item itself.`);
    default:
      throw invalidParam(`${at}.type`, `${at}.type must be message, function_call or function_call_output.`);
  }
}

function parseMessage(item: Json, at: string): ChatMessage {
  const role = item.role === "developer" ? "system" : item.role;
  if (role !== "user" && role !== "assistant" && role !== "system") throw invalidParam(`${at}.role`, `${at}.role must be user, assistant, system or developer.`);
  const content = item.content;
  if (typeof content === "string") return { role, content };
  if (!Array.isArray(content)) throw invalidParam(`${at}.content`, `${at}.content must be a string or an array of content parts.`);
  const parts = content.map((part: unknown, j): ContentPart => {
    const where = `${at}.content.${j}`;
    if (!isObject(part)) throw invalidParam(where, `${where} must be an object.`);
    if ((part.type === "input_text" || part.type === "output_text") && typeof part.text === "string") return { type: "text", text: part.text };
    if (part.type === "refusal" && typeof part.refusal === "string") return { type: "text", text: part.refusal };
    if (part.type === "input_image" && typeof part.image_url === "string") return { type: "image", url: part.image_url };
    throw invalidParam(`${where}.type`, `${where} must be input_text, output_text or input_image (with image_url).`);
  });
  const textOnly = parts.every((p) => p.type === "text");
  return { role, content: textOnly ? parts.map((p) => (p as { text: string }).text).join("") : parts };
}

function outputText(value: unknown, at: string): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map((part: unknown) => (isObject(part) && typeof part.text === "string" ? part.text : "")).join("");
  throw invalidParam(at, `${at} must be a string or an array of text parts.`);
}

function parseTools(value: unknown): Array<{ definition: ToolDefinition; echo: Json }> {
  if (!Array.isArray(value)) throw invalidParam("tools", "tools must be an array.");
  return value.map((tool: unknown, i) => {
    const at = `tools.${i}`;
    if (!isObject(tool)) throw invalidParam(at, `${at} must be an object.`);
    if (tool.type !== "function") throw invalidParam(`${at}.type`, `${at}: only function tools are served (not ${String(tool.type)}).`);
    if (typeof tool.name !== "string" || tool.name === "") throw invalidParam(`${at}.name`, `${at}.name must be a string.`);
    if (tool.description !== undefined && tool.description !== null && typeof tool.description !== "string") throw invalidParam(`${at}.description`, `${at}.description must be a string.`);
    if (tool.parameters !== undefined && tool.parameters !== null && !isObject(tool.parameters)) throw invalidParam(`${at}.parameters`, `${at}.parameters must be a JSON Schema object.`);
    const parameters = isObject(tool.parameters) ? tool.parameters : { type: "object", properties: {} };
    const description = typeof tool.description === "string" ? tool.description : undefined;
    return {
      definition: { name: tool.name, ...(description === undefined ? {} : { description }), parameters },
      echo: { type: "function", name: tool.name, description: description ?? null, parameters, strict: tool.strict === true },
    };
  });
}

function parseToolChoice(value: unknown): ToolChoice {
  if (value === "auto" || value === "none" || value === "required") return value;
  if (isObject(value) && value.type === "function" && typeof value.name === "string") return { name: value.name };
  throw invalidParam("tool_choice", 'tool_choice must be "auto", "none", "required" or {"type": "function", "name": ...}.');
}

function textFormat(value: unknown): { parsed: ResponseFormat; echo: Json } | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw invalidParam("text", "text must be an object.");
  const format = value.format;
  if (format === undefined || format === null) return undefined;
  if (isObject(format)) {
    if (format.type === "text" || format.type === "json_object") return { parsed: { type: format.type }, echo: format };
    if (format.type === "json_schema") {
      if (!isObject(format.schema)) throw invalidParam("text.format.schema", "text.format.schema must be an object.");
      return { parsed: { type: "json_schema", schema: format.schema, ...(typeof format.name === "string" ? { name: format.name } : {}) }, echo: format };
    }
  }
  throw invalidParam("text.format.type", 'text.format.type must be "text", "json_object" or "json_schema".');
}
