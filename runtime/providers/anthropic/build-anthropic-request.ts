import type { MessageCreateParamsStreaming, Tool, ToolChoice as AnthropicToolChoice } from "@anthropic-ai/sdk/resources/messages";
import type { ModelCallOptions, ResponseFormat, ToolChoice, ToolDefinition } from "../../core/chat.js";
import { convertToAnthropicMessages } from "./convert-to-anthropic-messages.js";

/** The API requires max_tokens; this is used when the model sets none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

/**
 * One body for `stream` and `preview`. Only the parameters Anthropic takes are mapped (the config has
 * warned about the others). Messages has no JSON mode, so a response format becomes an instruction
 * at the end of the system prompt.
 */
export function buildAnthropicRequest(options: ModelCallOptions, modelId: string): MessageCreateParamsStreaming {
  const { system, messages } = convertToAnthropicMessages(options.messages);
  const parameters = options.parameters;
  const tools = options.tools !== undefined && options.tools.length > 0 ? options.tools : undefined;
  const instruction = formatInstruction(options.responseFormat);
  const systemPrompt = [system, instruction].filter((part) => part !== undefined).join("\n\n");
  const number = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : undefined);
  const temperature = number(parameters.temperature);
  const topP = number(parameters.top_p);
  const topK = number(parameters.top_k);
  return {
    model: modelId,
    max_tokens: number(parameters.max_tokens) ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    messages,
    stream: true,
    ...(systemPrompt === "" ? {} : { system: systemPrompt }),
    ...(temperature === undefined ? {} : { temperature }),
    ...(topP === undefined ? {} : { top_p: topP }),
    ...(topK === undefined ? {} : { top_k: topK }),
    ...(Array.isArray(parameters.stop) && parameters.stop.length > 0 ? { stop_sequences: parameters.stop } : {}),
    ...(tools === undefined ? {} : { tools: tools.map(toAnthropicTool) }),
    ...(tools === undefined || options.toolChoice === undefined ? {} : { tool_choice: toAnthropicToolChoice(options.toolChoice) }),
  };
}

function toAnthropicTool(tool: ToolDefinition): Tool {
  return {
    name: tool.name,
    ...(tool.description === undefined ? {} : { description: tool.description }),
    input_schema: { type: "object", ...tool.parameters },
  };
}

function toAnthropicToolChoice(choice: ToolChoice): AnthropicToolChoice {
  if (typeof choice === "object") return { type: "tool", name: choice.name };
  if (choice === "required") return { type: "any" };
  return { type: choice };
}

function formatInstruction(format: ResponseFormat | undefined): string | undefined {
  if (format === undefined || format.type === "text") return undefined;
  if (format.type === "json_object") return "Respond with a single JSON object and nothing else.";
  return `Respond with a single JSON object and nothing else, matching this JSON Schema:\n${JSON.stringify(format.schema)}`;
}
