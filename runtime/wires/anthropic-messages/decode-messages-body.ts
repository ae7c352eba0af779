import type { DecodedChat } from "../chat-wire.js";
import type { ChatMessage, ContentPart, ModelParameters, ToolCall, ToolChoice, ToolDefinition } from "../../core/index.js";
import { ApiError, invalidParam } from "../api-error.js";
import { isObject, optionalBoolean, optionalInteger, optionalString, samplingParameters, type Json } from "../json-fields.js";

/**
 * Anthropic's `POST /v1/messages` body, decoded into the runtime's request: `system` (text or text
 * blocks) becomes a system message; text and image blocks become content parts; an assistant's
 * `tool_use` blocks become its tool calls and a user's `tool_result` blocks become tool messages
 * (placed before the rest of that user turn, in the order OpenAI-style providers expect).
 */
export function decodeMessagesBody(body: unknown): DecodedChat<undefined> {
  if (!isObject(body)) throw new ApiError(400, "The request body must be a JSON object.", "invalid_request_error", "invalid_body");
  const model = optionalString(body, "model");
  const stream = optionalBoolean(body, "stream") ?? false;
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw invalidParam("messages", "messages must be a non-empty array of messages.");
  const messages: ChatMessage[] = [];
  const system = systemText(body.system);
  if (system !== undefined) messages.push({ role: "system", content: system });
  body.messages.forEach((message: unknown, i) => messages.push(...parseTurn(message, `messages.${i}`)));

  const request: DecodedChat["request"] = { messages };
  const parameters = parseParameters(body);
  if (parameters) request.parameters = parameters;
  if (body.tools !== undefined && body.tools !== null) request.tools = parseTools(body.tools);
  if (body.tool_choice !== undefined && body.tool_choice !== null) request.toolChoice = parseToolChoice(body.tool_choice);
  return { model: model === "" ? undefined : model, stream, request, options: undefined };
}

function systemText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value === "" ? undefined : value;
  if (Array.isArray(value)) {
    return value
      .map((block: unknown, i) => {
        if (!isObject(block) || block.type !== "text" || typeof block.text !== "string") throw invalidParam(`system.${i}`, `system.${i} must be a text block.`);
        return block.text;
      })
      .join("\n");
  }
  throw invalidParam("system", "system must be a string or an array of text blocks.");
}

function parseTurn(value: unknown, at: string): ChatMessage[] {
  if (!isObject(value)) throw invalidParam(at, `${at} must be an object.`);
  const role = value.role;
  if (role !== "user" && role !== "assistant") throw invalidParam(`${at}.role`, `${at}.role must be "user" or "assistant".`);
  const content = value.content;
  if (typeof content === "string") return [{ role, content }];
  if (!Array.isArray(content)) throw invalidParam(`${at}.content`, `${at}.content must be a string or an array of content blocks.`);
  const parts: ContentPart[] = [];
  const toolCalls: ToolCall[] = [];
  const results: ChatMessage[] = [];
  content.forEach((block: unknown, j) => {
    const where = `${at}.content.${j}`;
    if (!isObject(block)) throw invalidParam(where, `${where} must be an object.`);
    switch (block.type) {
      case "text":
        if (typeof block.text !== "string") throw invalidParam(`${where}.text`, `${where}.text must be a string.`);
        parts.push({ type: "text", text: block.text });
        return;
      case "image":
        parts.push({ type: "image", url: imageUrl(block.source, `${where}.source`) });
        return;
      case "tool_use":
        if (role !== "assistant") throw invalidParam(`${where}.type`, `${where}: tool_use blocks belong to assistant turns.`);
        if (typeof block.id !== "string" || typeof block.name !== "string") throw invalidParam(where, `${where} needs a string id and name.`);
        toolCalls.push({ id: block.id, name: block.name, arguments: JSON.stringify(block.input ?? {}) });
        return;
      case "tool_result":
        if (role !== "user") throw invalidParam(`${where}.type`, `${where}: tool_result blocks belong to user turns.`);
        if (typeof block.tool_use_id !== "string") throw invalidParam(`${where}.tool_use_id`, `${where}.tool_use_id must be a string.`);
        results.push({ role: "tool", toolCallId: block.tool_use_id, content: resultText(block.content, `${where}.content`), ...(block.is_error === true ? { isError: true } : {}) });
        return;
      case "thinking":
      case "redacted_thinking":
        return;
      default:
        throw invalidParam(`${where}.type`, `${where}.type must be text, image, tool_use or tool_result.`);
    }
  });
  const turn: ChatMessage[] = [...results];
  if (role === "assistant") {
    if (parts.length > 0 || toolCalls.length > 0) turn.push({ role, content: parts.length === 0 ? null : joinText(parts), ...(toolCalls.length > 0 ? { toolCalls } : {}) });
  } else if (parts.length > 0) {
    turn.push({ role, content: joinText(parts) });
  }
  if (turn.length === 0) throw invalidParam(`${at}.content`, `${at}.content must hold at least one block.`);
  return turn;
}

/** Text-only content as one string: every provider takes it, and it keeps requests small. */
function joinText(parts: ContentPart[]): string | ContentPart[] {
  return parts.every((p) => p.type === "text") ? parts.map((p) => (p as { text: string }).text).join("") : parts;
}

function imageUrl(source: unknown, at: string): string {
  if (isObject(source)) {
    if (source.type === "base64" && typeof source.media_type === "string" && typeof source.data === "string") return `data:${source.media_type};base64,${source.data}`;
    if (source.type === "url" && typeof source.url === "string" && /^https?:/.test(source.url)) return source.url;
  }
  throw invalidParam(at, `${at} must be {type: "base64", media_type, data} or {type: "url", url}.`);
}

function resultText(value: unknown, at: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (Array.isArray(value)) {
    return value
      .map((block: unknown, k) => {
        if (!isObject(block)) throw invalidParam(`${at}.${k}`, `${at}.${k} must be an object.`);
        return block.type === "text" && typeof block.text === "string" ? block.text : "";
      })
      .join("");
  }
  throw invalidParam(at, `${at} must be a string or an array of blocks.`);
}

function parseParameters(body: Json): ModelParameters | undefined {
  let parameters = samplingParameters(body, "max_tokens");
  const topK = optionalInteger(body, "top_k", 0);
  if (topK !== undefined) (parameters ??= {}).top_k = topK;
  const stop = body.stop_sequences;
  if (stop !== undefined && stop !== null) {
    if (!Array.isArray(stop) || !stop.every((s) => typeof s === "string")) throw invalidParam("stop_sequences", "stop_sequences must be an array of strings.");
    if (stop.length > 0) (parameters ??= {}).stop = [...stop];
  }
  return parameters;
}

function parseTools(value: unknown): ToolDefinition[] {
  if (!Array.isArray(value)) throw invalidParam("tools", "tools must be an array.");
  return value.map((tool: unknown, i) => {
    const at = `tools.${i}`;
    if (!isObject(tool) || typeof tool.name !== "string" || tool.name === "") throw invalidParam(`${at}.name`, `${at}.name must be a string.`);
    if (tool.type !== undefined && tool.type !== null && tool.type !== "custom") {
      throw invalidParam(`${at}.type`, `${at}: Anthropic's server tools (${String(tool.type)}) are not served; declare a custom tool with input_schema.`);
    }
    if (tool.description !== undefined && typeof tool.description !== "string") throw invalidParam(`${at}.description`, `${at}.description must be a string.`);
    if (!isObject(tool.input_schema)) throw invalidParam(`${at}.input_schema`, `${at}.input_schema must be a JSON Schema object.`);
    return { name: tool.name, ...(typeof tool.description === "string" ? { description: tool.description } : {}), parameters: tool.input_schema };
  });
}

function parseToolChoice(value: unknown): ToolChoice {
  if (isObject(value)) {
    if (value.type === "auto" || value.type === "none") return value.type;
    if (value.type === "any") return "required";
    if (value.type === "tool" && typeof value.name === "string") return { name: value.name };
  }
  throw invalidParam("tool_choice", 'tool_choice must be {"type": "auto" | "any" | "none"} or {"type": "tool", "name": ...}.');
}
