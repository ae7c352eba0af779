import type { ChatCompletionCreateParams, ChatCompletionTool, ChatCompletionToolChoiceOption } from "openai/resources/chat/completions";
import type { ModelCallOptions, ResponseFormat, ToolChoice, ToolDefinition } from "../../core/chat.js";
import { convertToOpenAIMessages } from "./convert-to-openai-messages.js";
import { mapOpenAIParameters, RESERVED_FIELDS, type OpenAIParameterOptions } from "./map-openai-parameters.js";

export interface OpenAIRequestSettings extends OpenAIParameterOptions {
  modelId: string;
  extraBody: Record<string, unknown> | undefined;
}

/**
 * The one body both `stream` and `preview` send. Order matters: parameters, then `extra_body` (the model's
 * explicit wire-level settings win over mapped ones), then the fields the adapter owns.
 */
export function buildOpenAIRequest(options: ModelCallOptions, settings: OpenAIRequestSettings): ChatCompletionCreateParams {
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings.extraBody ?? {})) if (!RESERVED_FIELDS.has(key)) extra[key] = value;
  const tools = options.tools !== undefined && options.tools.length > 0 ? options.tools : undefined;
  return {
    ...mapOpenAIParameters(options.parameters, settings),
    ...extra,
    model: settings.modelId,
    messages: convertToOpenAIMessages(options.messages),
    // A stream carries its usage only when asked for.
    stream: true,
    stream_options: { include_usage: true },
    ...(tools === undefined ? {} : { tools: tools.map(toOpenAITool) }),
    ...(tools === undefined || options.toolChoice === undefined ? {} : { tool_choice: toOpenAIToolChoice(options.toolChoice) }),
    ...responseFormat(options.responseFormat),
  };
}

function toOpenAITool(tool: ToolDefinition): ChatCompletionTool {
  return {
    type: "function",
    function: { name: tool.name, ...(tool.description === undefined ? {} : { description: tool.description }), parameters: tool.parameters },
  };
}

function toOpenAIToolChoice(choice: ToolChoice): ChatCompletionToolChoiceOption {
  return typeof choice === "object" ? { type: "function", function: { name: choice.name } } : choice;
}

function responseFormat(format: ResponseFormat | undefined): Pick<ChatCompletionCreateParams, "response_format"> {
  if (format === undefined || format.type === "text") return {};
  if (format.type === "json_object") return { response_format: { type: "json_object" } };
  return { response_format: { type: "json_schema", json_schema: { name: format.name ?? "response", schema: format.schema } } };
}
