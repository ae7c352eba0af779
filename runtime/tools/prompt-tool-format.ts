import { textOf, type ChatMessage, type ModelCallOptions, type ToolDefinition } from "../core/index.js";

/**
 * The text format of `tool_call_strategy: prompt_based`, for models without native tool calling. It is
 * the Hermes format, which LlamaFarm uses too and which many open models (Hermes, Qwen) were trained on:
 * the tools are listed as JSON inside `<tools></tools>` in the system prompt, a call is a JSON object
 * `{"name": ..., "arguments": {...}}` inside `<tool_call></tool_call>`, and a result goes back to the
 * model inside `<tool_response></tool_response>` in a user turn.
 */
export const TOOL_CALL_OPEN = "<tool_call>";
export const TOOL_CALL_CLOSE = "</tool_call>";

/**
 * The request as a model without native tools can take it: the tools described in the system prompt
 * (not in the provider's tool field), and earlier tool calls and results written out as text, since
 * such a server may refuse `tool` messages.
 */
export function toPromptTools(options: ModelCallOptions): ModelCallOptions {
  const { tools, toolChoice, ...rest } = options;
  const offered = choose(tools ?? [], toolChoice);
  const messages = writeToolHistory(options.messages);
  if (offered.length > 0) addToSystem(messages, toolsPrompt(offered, toolChoice));
  return { ...rest, messages };
}

function choose(tools: ToolDefinition[], choice: ModelCallOptions["toolChoice"]): ToolDefinition[] {
  if (choice === "none") return [];
  if (typeof choice === "object") return tools.filter((tool) => tool.name === choice.name);
  return tools;
}

function toolsPrompt(tools: ToolDefinition[], choice: ModelCallOptions["toolChoice"]): string {
  const listed = tools.map((tool) =>
    JSON.stringify({ type: "function", function: { name: tool.name, ...(tool.description ? { description: tool.description } : {}), parameters: tool.parameters } }),
  );
  const must =
    typeof choice === "object" ? `You must call ${choice.name} now.\n` : choice === "required" ? "You must call at least one of these functions now.\n" : "";
  return [
    "# Tools",
    "",
    "You may call one or more functions to answer. Their signatures, with JSON Schema parameters, are inside <tools></tools>:",
    "<tools>",
    ...listed,
    "</tools>",
    "",
    "To call a function, write a JSON object with its name and arguments inside <tool_call></tool_call> tags, one block per call, and stop after the last block:",
    TOOL_CALL_OPEN,
    '{"name": "<function-name>", "arguments": {"<parameter>": "<value>"}}',
    TOOL_CALL_CLOSE,
    "Each result comes back inside <tool_response></tool_response> tags. Only call functions listed above.",
    must,
  ]
    .join("\n")
    .trimEnd();
}

function addToSystem(messages: ChatMessage[], text: string): void {
  const index = messages.findIndex((message) => message.role === "system");
  if (index < 0) {
    messages.unshift({ role: "system", content: text });
    return;
  }
  const system = messages[index]!;
  messages[index] = { ...system, content: `${textOf(system.content)}\n\n${text}` };
}

/** Assistant tool calls become their `<tool_call>` text; a run of tool results becomes one user turn. */
function writeToolHistory(messages: readonly ChatMessage[]): ChatMessage[] {
  const names = new Map<string, string>();
  const out: ChatMessage[] = [];
  for (const message of messages) {
    if (message.role === "assistant" && message.toolCalls?.length) {
      const calls = message.toolCalls.map((call) => {
        names.set(call.id, call.name);
        return `${TOOL_CALL_OPEN}\n{"name": ${JSON.stringify(call.name)}, "arguments": ${argumentsJson(call.arguments)}}\n${TOOL_CALL_CLOSE}`;
      });
      const text = textOf(message.content);
      out.push({ role: "assistant", content: [text, ...calls].filter((part) => part !== "").join("\n") });
    } else if (message.role === "tool") {
      const response = JSON.stringify({
        name: names.get(message.toolCallId ?? "") ?? message.name ?? "tool",
        content: textOf(message.content),
        ...(message.isError ? { error: true } : {}),
      });
      const block = `<tool_response>\n${response}\n</tool_response>`;
      const previous = out.at(-1);
      if (previous?.role === "user" && previous.name === TOOL_RESULTS) previous.content = `${textOf(previous.content)}\n${block}`;
      else out.push({ role: "user", name: TOOL_RESULTS, content: block });
    } else out.push(message);
  }
  // The marker only groups consecutive results; it is not sent.
  return out.map((message) => (message.name === TOOL_RESULTS ? { role: message.role, content: message.content } : message));
}

const TOOL_RESULTS = "\u0000tool-results";

/** Arguments as the model should see them again: the JSON object it wrote, or its text if that was not JSON. */
function argumentsJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text === "" ? "{}" : text));
  } catch {
    return JSON.stringify(text);
  }
}
