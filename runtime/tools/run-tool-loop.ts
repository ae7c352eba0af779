import {
  LfError,
  isAbortError,
  systemClock,
  type CallTrace,
  type ChatMessage,
  type Clock,
  type FinishReason,
  type ModelAdapter,
  type ModelCallOptions,
  type StreamPart,
  type ToolCall,
  type ToolChoice,
  type ToolDefinition,
  type Usage,
} from "../core/index.js";
import { abortError } from "./abortable.js";
import type { McpToolset } from "./bind-tools.js";
import { DEFAULT_MAX_TOOL_OUTPUT_BYTES, formatToolResult } from "./tool-output.js";

export const DEFAULT_MAX_TOOL_ITERATIONS = 10;

export interface ToolLoopOptions {
  model: ModelAdapter;
  /** The request as it stands: messages, parameters, and the client's own tools and tool choice. */
  call: ModelCallOptions;
  /** The MCP tools bound to this model; none when omitted. */
  mcpTools?: McpToolset;
  /** Rounds of MCP tool execution allowed before the loop stops with `max-tool-iterations`. */
  maxToolIterations?: number;
  /** Each tool's output is cut to this many UTF-8 bytes, with a note saying so. */
  maxToolOutputBytes?: number;
  /** Defaults to `call.signal`. */
  signal?: AbortSignal;
  /** Measures tool durations. */
  clock?: Clock;
}

interface Turn {
  text: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason | undefined;
}

interface ToolOutcome {
  toolCall: ToolCall;
  output: string;
  isError: boolean;
  durationMs: number;
}

/**
 * Calls the model, runs the MCP tools it asks for, feeds the results back, and repeats until it answers
 * without tools. Text streams through as it arrives; every MCP call of a turn runs in parallel and shows
 * as `tool-start` then `tool-result` (in completion order; the `tool` messages keep the call order).
 * A failing tool (an error, `isError`, a timeout, bad JSON arguments, a name that was not offered) is an
 * error result the model reads, never a thrown error; for a name that resolves to no MCP tool the
 * `tool-start` part has `server: ""`. Usage is summed into one
 * `usage` part before the single final `finish`.
 *
 * Client tools (from the request) are not run: their calls are yielded as `tool-call` parts and the loop
 * ends with `tool-calls`. When a turn mixes client and MCP calls, the client calls win and the MCP calls
 * of that turn are dropped unrun: the client only echoes back the calls it was shown, so a run MCP call
 * would have no place in the next request, and the model simply asks again once it has the client's
 * results. Running it anyway would repeat its side effects.
 *
 * As the adapter contract requires, a failure before any output is thrown (the caller can still fall
 * back); after output it becomes an `error` part that ends the stream.
 */
export async function* runToolLoop(options: ToolLoopOptions): AsyncGenerator<StreamPart, void, undefined> {
  const { model, call } = options;
  const signal = options.signal ?? call.signal;
  const clock = options.clock ?? systemClock;
  const maxIterations = options.maxToolIterations ?? DEFAULT_MAX_TOOL_ITERATIONS;
  const maxOutputBytes = options.maxToolOutputBytes ?? DEFAULT_MAX_TOOL_OUTPUT_BYTES;

  const clientTools = call.tools ?? [];
  const clientNames = new Set(clientTools.map((tool) => tool.name));
  // A client tool shadows an MCP tool of the same name: the request is the more specific source.
  const mcpDefinitions = (options.mcpTools?.definitions ?? []).filter((tool) => !clientNames.has(tool.name));
  const offered: ToolDefinition[] = [...mcpDefinitions, ...clientTools];
  const messages: ChatMessage[] = [...call.messages];
  let usage: Usage | undefined;
  let emitted = false;
  const ending = function* (finishReason: FinishReason): Generator<StreamPart> {
    if (usage) yield { type: "usage", usage };
    yield { type: "finish", finishReason };
  };

  for (let iteration = 0; ; iteration++) {
    const turn: Turn = { text: "", toolCalls: [], finishReason: undefined };
    try {
      for await (const part of model.stream(requestFor(call, messages, offered, iteration, signal))) {
        switch (part.type) {
          case "text-delta":
            turn.text += part.text;
            emitted = true;
            yield part;
            break;
          case "tool-call":
            turn.toolCalls.push(part.toolCall);
            break;
          case "usage":
            usage = addUsage(usage, part.usage);
            break;
          case "finish":
            turn.finishReason = part.finishReason;
            break;
          case "error":
            if (usage) yield { type: "usage", usage };
            yield part;
            return;
          default:
            emitted = true;
            yield part;
        }
      }
    } catch (error) {
      if (!emitted) throw error;
      if (usage) yield { type: "usage", usage };
      yield { type: "error", error: toLfError(error) };
      return;
    }

    if (turn.toolCalls.length === 0) return yield* ending(turn.finishReason ?? "stop");

    const toolCalls = withUniqueIds(turn.toolCalls, iteration);
    const clientCalls = toolCalls.filter((toolCall) => clientNames.has(toolCall.name));
    if (clientCalls.length > 0) {
      for (const toolCall of clientCalls) yield { type: "tool-call", toolCall };
      return yield* ending("tool-calls");
    }
    if (iteration >= maxIterations) return yield* ending("max-tool-iterations");

    emitted = true;
    const outcomes: ToolOutcome[] = [];
    for await (const part of runCalls(toolCalls, options.mcpTools, { signal, clock, maxOutputBytes, trace: call.trace })) {
      if (part.type === "tool-result") outcomes.push(part);
      yield part;
    }
    if (signal?.aborted) {
      if (usage) yield { type: "usage", usage };
      yield { type: "error", error: abortError(signal) };
      return;
    }
    messages.push({ role: "assistant", content: turn.text === "" ? null : turn.text, toolCalls });
    for (const toolCall of toolCalls) {
      const outcome = outcomes.find((candidate) => candidate.toolCall.id === toolCall.id);
      messages.push({ role: "tool", toolCallId: toolCall.id, content: outcome?.output ?? "", isError: outcome?.isError ?? true });
    }
  }
}

function requestFor(call: ModelCallOptions, messages: ChatMessage[], offered: ToolDefinition[], iteration: number, signal: AbortSignal | undefined): ModelCallOptions {
  const { tools: _tools, toolChoice, signal: _signal, messages: _messages, ...rest } = call;
  const request: ModelCallOptions = { ...rest, messages: [...messages] };
  if (offered.length > 0) {
    request.tools = offered;
    const choice = iteration === 0 ? toolChoice : relaxed(toolChoice);
    if (choice !== undefined) request.toolChoice = choice;
  }
  if (signal) request.signal = signal;
  return request;
}

/** A forced choice applies to the first call only; repeating it would force tool calls forever. */
function relaxed(choice: ToolChoice | undefined): ToolChoice | undefined {
  return choice === "required" || typeof choice === "object" ? "auto" : choice;
}

interface RunContext {
  signal: AbortSignal | undefined;
  clock: Clock;
  maxOutputBytes: number;
  trace: CallTrace | undefined;
}

async function* runCalls(toolCalls: ToolCall[], mcpTools: McpToolset | undefined, context: RunContext): AsyncGenerator<StreamPart> {
  const pending = new Map<string, Promise<ToolOutcome>>();
  for (const toolCall of toolCalls) {
    const bound = mcpTools?.resolve(toolCall.name);
    yield { type: "tool-start", toolCall, server: bound?.server ?? "", tool: bound?.tool ?? toolCall.name };
    pending.set(toolCall.id, runCall(toolCall, mcpTools, context));
  }
  while (pending.size > 0) {
    const outcome = await Promise.race(pending.values());
    pending.delete(outcome.toolCall.id);
    yield { type: "tool-result", ...outcome };
  }
}

/** Never rejects: every way a call can go wrong becomes text the model can act on. */
async function runCall(toolCall: ToolCall, mcpTools: McpToolset | undefined, context: RunContext): Promise<ToolOutcome> {
  const started = context.clock.now();
  const traced = context.trace?.tool(toolCall.name, toolCall.id);
  const finish = (output: string, isError: boolean): ToolOutcome => {
    traced?.(isError);
    return { toolCall, output, isError, durationMs: Math.max(0, context.clock.now() - started) };
  };
  if (!mcpTools?.resolve(toolCall.name)) return finish(`Unknown tool "${toolCall.name}". Use one of the tools offered.`, true);
  const args = parseArguments(toolCall);
  if (typeof args === "string") return finish(args, true);
  try {
    const result = await mcpTools.call(toolCall.name, args, context.signal);
    return finish(formatToolResult(result, context.maxOutputBytes), result.isError === true);
  } catch (error) {
    return finish(error instanceof Error ? error.message : String(error), true);
  }
}

/** The arguments object, or the message explaining why there is none. */
function parseArguments(toolCall: ToolCall): Record<string, unknown> | string {
  if (toolCall.arguments.trim() === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(toolCall.arguments);
  } catch (error) {
    return `Invalid JSON arguments for tool "${toolCall.name}": ${error instanceof Error ? error.message : String(error)}`;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return `Arguments for tool "${toolCall.name}" must be a JSON object`;
  return value as Record<string, unknown>;
}

/** Results are matched to calls by id, so ids that are missing or repeated within a turn are replaced. */
function withUniqueIds(toolCalls: ToolCall[], iteration: number): ToolCall[] {
  const seen = new Set<string>();
  return toolCalls.map((toolCall, index) => {
    let id = toolCall.id;
    for (let n = 0; id === "" || seen.has(id); n++) id = `call_${iteration}_${index}${n === 0 ? "" : `_${n}`}`;
    seen.add(id);
    return id === toolCall.id ? toolCall : { ...toolCall, id };
  });
}

function addUsage(total: Usage | undefined, next: Usage): Usage {
  const sum: Usage = {
    inputTokens: (total?.inputTokens ?? 0) + next.inputTokens,
    outputTokens: (total?.outputTokens ?? 0) + next.outputTokens,
  };
  if (total?.estimated || next.estimated) sum.estimated = true;
  return sum;
}

function toLfError(error: unknown): LfError {
  if (error instanceof LfError) return error;
  if (isAbortError(error)) return new LfError("aborted", "The request was aborted", { cause: error });
  return new LfError("internal", error instanceof Error ? error.message : String(error), { cause: error });
}
