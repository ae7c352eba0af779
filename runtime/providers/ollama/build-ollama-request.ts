import type { Tool } from "ollama";
import type { ModelCallOptions, ResponseFormat, ToolDefinition } from "../../core/chat.js";
import { convertToOllamaMessages, type OllamaWireMessage } from "./convert-to-ollama-messages.js";
import { mapOllamaOptions } from "./map-ollama-options.js";

/** The `/api/chat` body as sent on the wire (images as base64 text). */
export interface OllamaWireRequest {
  model: string;
  messages: OllamaWireMessage[];
  stream: true;
  tools?: Tool[];
  format?: string | Record<string, unknown>;
  options?: ReturnType<typeof mapOllamaOptions>;
}

export class UnknownToolChoiceError extends Error {
  constructor(name: string) {
    super(`tool_choice names ${name}, which is not among the request's tools`);
    this.name = "UnknownToolChoiceError";
  }
}

/** One body for `stream` and `preview`. */
export function buildOllamaRequest(options: ModelCallOptions, modelId: string): OllamaWireRequest {
  const tools = selectTools(options.tools, options.toolChoice);
  const mapped = mapOllamaOptions(options.parameters);
  const format = formatOf(options.responseFormat);
  return {
    model: modelId,
    messages: convertToOllamaMessages(options.messages),
    stream: true,
    ...(tools === undefined ? {} : { tools: tools.map(toOllamaTool) }),
    ...(format === undefined ? {} : { format }),
    ...(Object.keys(mapped).length === 0 ? {} : { options: mapped }),
  };
}

/**
 * Ollama has no tool_choice: `none` sends no tools, a named choice sends only that tool, and
 * `required` cannot be enforced, so it offers them all.
 */
function selectTools(tools: ToolDefinition[] | undefined, choice: ModelCallOptions["toolChoice"]): ToolDefinition[] | undefined {
  if (tools === undefined || tools.length === 0 || choice === "none") return undefined;
  if (typeof choice === "object") {
    const named = tools.filter((tool) => tool.name === choice.name);
    if (named.length === 0) throw new UnknownToolChoiceError(choice.name);
    return named;
  }
  return tools;
}

function toOllamaTool(tool: ToolDefinition): Tool {
  return {
    type: "function",
    function: { name: tool.name, ...(tool.description === undefined ? {} : { description: tool.description }), parameters: tool.parameters as Tool["function"]["parameters"] },
  };
}

function formatOf(format: ResponseFormat | undefined): OllamaWireRequest["format"] {
  if (format === undefined || format.type === "text") return undefined;
  return format.type === "json_object" ? "json" : format.schema;
}
