import type { DecodedChat } from "../chat-wire.js";
import type { ChatMessage, ContentPart, ModelParameters, ResponseFormat, ToolCall, ToolChoice, ToolDefinition } from "../../core/index.js";
import { ApiError, invalidParam } from "../api-error.js";
import { isObject, optionalBoolean, optionalInteger, optionalNumber, optionalString, type Json } from "../json-fields.js";

/** What the OpenAI encoder reads from the request. */
export interface OpenAIChatOptions {
  /** `stream_options.include_usage`: a final chunk with the totals. */
  includeUsage: boolean;
}

const ROLES = new Set(["system", "developer", "user", "assistant", "tool"]);
const NUMBER_PARAMS = ["temperature", "top_p", "frequency_penalty", "presence_penalty", "repeat_penalty"] as const;
const INTEGER_PARAMS = ["seed", "top_k", "num_ctx"] as const;

/**
 * Checks every field the runtime reads; a wrong type is a 400 naming the field in `param`, the way
 * OpenAI does. Fields the runtime does not read (user, metadata, logprobs...) are ignored.
 */
export function decodeChatBody(body: unknown): DecodedChat<OpenAIChatOptions> {
  if (!isObject(body)) throw new ApiError(400, "The request body must be a JSON object.", "invalid_request_error", "invalid_body");
  const model = optionalString(body, "model");
  const stream = optionalBoolean(body, "stream") ?? false;
  let includeUsage = false;
  if (body.stream_options !== undefined && body.stream_options !== null) {
    if (!isObject(body.stream_options)) throw invalidParam("stream_options", "stream_options must be an object.");
    includeUsage = optionalBoolean(body.stream_options, "include_usage", "stream_options.include_usage") ?? false;
  }
  if (body.n !== undefined && body.n !== null && body.n !== 1) throw new ApiError(400, "Only n=1 is supported.", "invalid_request_error", "unsupported_value", "n");

  const request: DecodedChat["request"] = { messages: parseMessages(body.messages) };
  if (request.messages.length === 0) throw invalidParam("messages", "messages must hold at least one message.");
  const parameters = parseParameters(body);
  if (parameters) request.parameters = parameters;
  if (body.variables !== undefined && body.variables !== null) request.variables = parseVariables(body.variables);
  if (body.tools !== undefined && body.tools !== null) request.tools = parseTools(body.tools);
  if (body.tool_choice !== undefined && body.tool_choice !== null) request.toolChoice = parseToolChoice(body.tool_choice);
  if (body.response_format !== undefined && body.response_format !== null) request.responseFormat = parseResponseFormat(body.response_format);
  const maxCost = optionalNumber(body, "max_cost", 0);
  if (maxCost !== undefined) request.maxCost = maxCost;
  const maxLatencyMs = optionalNumber(body, "max_latency_ms", 0);
  if (maxLatencyMs !== undefined) request.maxLatencyMs = maxLatencyMs;
  return { model: model === "" ? undefined : model, stream, request, options: { includeUsage } };
}

export function parseMessages(value: unknown, param = "messages"): ChatMessage[] {
  if (!Array.isArray(value)) throw invalidParam(param, `${param} must be an array of messages.`);
  const out: ChatMessage[] = new Array(value.length);
  for (let i = 0; i < value.length; i++) out[i] = parseMessage(value[i], `${param}[${i}]`);
  return out;
}

function parseMessage(value: unknown, at: string): ChatMessage {
  if (!isObject(value)) throw invalidParam(at, `${at} must be an object.`);
  const role = value.role;
  if (typeof role !== "string" || !ROLES.has(role)) {
    throw invalidParam(`${at}.role`, `${at}.role must be one of system, developer, user, assistant, tool.`);
  }
  const message: ChatMessage = { role: role === "developer" ? "system" : (role as ChatMessage["role"]), content: parseContent(value.content, `${at}.content`) };
  const name = optionalString(value, "name", `${at}.name`);
  if (name !== undefined) message.name = name;
  if (role === "assistant" && value.tool_calls !== undefined && value.tool_calls !== null) {
    message.toolCalls = parseToolCalls(value.tool_calls, `${at}.tool_calls`);
  } else if (role === "tool") {
    const id = value.tool_call_id;
    if (typeof id !== "string" || id === "") throw invalidParam(`${at}.tool_call_id`, `${at}.tool_call_id must be a string naming the call it answers.`);
    message.toolCallId = id;
  }
  if (message.content === null && !(message.toolCalls && message.toolCalls.length > 0)) {
    throw invalidParam(`${at}.content`, `${at}.content must be a string or an array of parts.`);
  }
  return message;
}

function parseContent(value: unknown, at: string): ChatMessage["content"] {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value)) throw invalidParam(at, `${at} must be a string or an array of parts.`);
  const parts: ContentPart[] = [];
  for (let j = 0; j < value.length; j++) {
    const part: unknown = value[j];
    const where = `${at}[${j}]`;
    if (!isObject(part)) throw invalidParam(where, `${where} must be an object.`);
    if (part.type === "text") {
      if (typeof part.text !== "string") throw invalidParam(`${where}.text`, `${where}.text must be a string.`);
      parts.push({ type: "text", text: part.text });
    } else if (part.type === "image_url") {
      const image = part.image_url;
      const url = typeof image === "string" ? image : isObject(image) ? image.url : undefined;
      if (typeof url !== "string" || !/^(https?:|data:)/.test(url)) {
        throw invalidParam(`${where}.image_url.url`, `${where}.image_url.url must be an http(s) or data: URL.`);
      }
      parts.push({ type: "image", url });
    } else {
      throw invalidParam(`${where}.type`, `${where}.type must be "text" or "image_url".`);
    }
  }
  return parts;
}

function parseToolCalls(value: unknown, at: string): ToolCall[] {
  if (!Array.isArray(value)) throw invalidParam(at, `${at} must be an array.`);
  return value.map((call: unknown, k) => {
    const where = `${at}[${k}]`;
    if (!isObject(call)) throw invalidParam(where, `${where} must be an object.`);
    if (typeof call.id !== "string") throw invalidParam(`${where}.id`, `${where}.id must be a string.`);
    const fn = call.function;
    if (!isObject(fn) || typeof fn.name !== "string") throw invalidParam(`${where}.function.name`, `${where}.function.name must be a string.`);
    const args = fn.arguments ?? "{}";
    if (typeof args !== "string") throw invalidParam(`${where}.function.arguments`, `${where}.function.arguments must be a JSON string.`);
    return { id: call.id, name: fn.name, arguments: args };
  });
}

function parseParameters(body: Json): ModelParameters | undefined {
  let parameters: ModelParameters | undefined;
  const set = (key: string, value: unknown) => ((parameters ??= {})[key] = value);
  for (const key of NUMBER_PARAMS) {
    const value = optionalNumber(body, key);
    if (value !== undefined) set(key, value);
  }
  for (const key of INTEGER_PARAMS) {
    const value = optionalInteger(body, key);
    if (value !== undefined) set(key, value);
  }
  const maxTokens = optionalInteger(body, "max_completion_tokens", 1) ?? optionalInteger(body, "max_tokens", 1);
  if (maxTokens !== undefined) set("max_tokens", maxTokens);
  const stop = body.stop;
  if (stop !== undefined && stop !== null) {
    if (typeof stop === "string") set("stop", [stop]);
    else if (Array.isArray(stop) && stop.every((s) => typeof s === "string")) set("stop", [...stop]);
    else throw invalidParam("stop", "stop must be a string or an array of strings.");
  }
  return parameters;
}

function parseVariables(value: unknown): Record<string, string> {
  if (!isObject(value)) throw invalidParam("variables", "variables must be an object of strings.");
  for (const [key, item] of Object.entries(value)) {
    if (typeof item !== "string") throw invalidParam(`variables.${key}`, `variables.${key} must be a string.`);
  }
  return value as Record<string, string>;
}

function parseTools(value: unknown): ToolDefinition[] {
  if (!Array.isArray(value)) throw invalidParam("tools", "tools must be an array.");
  return value.map((tool: unknown, i) => {
    const at = `tools[${i}]`;
    if (!isObject(tool) || tool.type !== "function") throw invalidParam(`${at}.type`, `${at}.type must be "function".`);
    const fn = tool.function;
    if (!isObject(fn) || typeof fn.name !== "string" || fn.name === "") throw invalidParam(`${at}.function.name`, `${at}.function.name must be a string.`);
    if (fn.description !== undefined && typeof fn.description !== "string") throw invalidParam(`${at}.function.description`, `${at}.function.description must be a string.`);
    if (fn.parameters !== undefined && !isObject(fn.parameters)) throw invalidParam(`${at}.function.parameters`, `${at}.function.parameters must be a JSON Schema object.`);
    return {
      name: fn.name,
      ...(typeof fn.description === "string" ? { description: fn.description } : {}),
      parameters: (fn.parameters as Record<string, unknown> | undefined) ?? { type: "object", properties: {} },
    };
  });
}

function parseToolChoice(value: unknown): ToolChoice {
  if (value === "auto" || value === "none" || value === "required") return value;
  if (isObject(value) && value.type === "function" && isObject(value.function) && typeof value.function.name === "string") {
    return { name: value.function.name };
  }
  throw invalidParam("tool_choice", 'tool_choice must be "auto", "none", "required" or {"type":"function","function":{"name":...}}.');
}

function parseResponseFormat(value: unknown): ResponseFormat {
  if (isObject(value)) {
    if (value.type === "text" || value.type === "json_object") return { type: value.type };
    if (value.type === "json_schema") {
      const spec = value.json_schema;
      if (!isObject(spec) || !isObject(spec.schema)) throw invalidParam("response_format.json_schema.schema", "response_format.json_schema.schema must be an object.");
      return { type: "json_schema", schema: spec.schema, ...(typeof spec.name === "string" ? { name: spec.name } : {}) };
    }
  }
  throw invalidParam("response_format.type", 'response_format.type must be "text", "json_object" or "json_schema".');
}
