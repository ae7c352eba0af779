import { LfError, type ModelAdapter, type ModelCallOptions, type StreamPart } from "./core/index.js";
import type { ResolvedModel } from "./config/index.js";
import { assembleMessages, fillTemplate } from "./prompts/index.js";
import { bindMcpTools, type McpToolset } from "./tools/bind-tools.js";
import { withModelTools } from "./tools/model-tools.js";
import type { McpToolSource } from "./tools/mcp-pool.js";
import { promptBasedAdapter } from "./tools/prompt-based-adapter.js";
import { runToolLoop } from "./tools/run-tool-loop.js";

export interface ConfiguredCallContext {
  variables: Readonly<Record<string, string>>;
  mcp: McpToolSource | undefined;
  maxToolIterations: number;
  /** MCP servers a model bound to them must not answer without (`required: true`). */
  requiredServers?: ReadonlySet<string>;
  /**
   * After each binding: every server the model is bound to, with why it could not be used (undefined
   * when it could). The request's answer names the missing ones; the server logs them.
   */
  onBinding?: (model: string, servers: ReadonlyMap<string, string | undefined>) => void;
}

/**
 * A named model as configured, for one request: its prompts before the conversation, its parameters
 * under the request's, its YAML tools beside the request's, its MCP tools offered and run, and, for
 * `tool_call_strategy: prompt_based`, tools described in the prompt and read back from the text. Each
 * candidate of a fallback chain gets its own, so a fallback model answers with its own prompts and
 * tools, not the first model's.
 */
export function configuredAdapter(model: ResolvedModel, wire: ModelAdapter, context: ConfiguredCallContext): ModelAdapter {
  const provider = model.toolCallStrategy === "prompt_based" ? promptBasedAdapter(wire) : wire;
  const tools = wantsMcp(model, context);
  return {
    provider: provider.provider,
    modelId: provider.modelId,
    stream: (options) => (tools ? streamWithTools(model, provider, context, options) : provider.stream(prepare(model, context, options))),
    // A tool loop is a conversation of several calls: it streams, and the caller holds what it says.
    ...(provider.collect && !tools ? { collect: (options: ModelCallOptions) => provider.collect!(prepare(model, context, options)) } : {}),
    ...(provider.preview ? { preview: (options: ModelCallOptions) => provider.preview!(prepare(model, context, options)) } : {}),
  };
}

function prepare(model: ResolvedModel, context: ConfiguredCallContext, options: ModelCallOptions): ModelCallOptions {
  const assembled = {
    ...options,
    messages: assembleMessages(model.promptMessages, options.messages, context.variables, model.promptsMode),
    parameters: { ...model.parameters, ...options.parameters },
  };
  const own = model.capabilities.tools ? model.tools : [];
  return withModelTools(own, model.toolsMode, assembled, (text) => fillTemplate(text, context.variables));
}

function wantsMcp(model: ResolvedModel, context: ConfiguredCallContext): boolean {
  return context.mcp !== undefined && model.capabilities.tools && context.mcp.serverNames().length > 0 && !(model.mcpServers?.length === 0);
}

/**
 * Says how the binding went, and refuses the call when a required server is missing: the model is then
 * passed over (`tools_unavailable` moves on to the next candidate without counting against it).
 */
function reportBinding(model: ResolvedModel, context: ConfiguredCallContext, toolset: McpToolset): void {
  const servers = new Map<string, string | undefined>();
  for (const tool of toolset.tools) servers.set(tool.server, undefined);
  for (const issue of toolset.issues) servers.set(issue.server, issue.message);
  context.onBinding?.(model.name, servers);
  for (const issue of toolset.issues) {
    if (context.requiredServers?.has(issue.server) !== true) continue;
    throw new LfError("tools_unavailable", `MCP server "${issue.server}" is required by model ${model.name} and cannot be used: ${issue.message}`, {
      publicMessage: `MCP server "${issue.server}" is required by model ${model.name} and cannot be used`,
      details: { server: issue.server },
    });
  }
}

/** Without MCP tools the provider's own stream is returned as it is: no generator layer per part. */
async function* streamWithTools(
  model: ResolvedModel,
  provider: ModelAdapter,
  context: ConfiguredCallContext,
  options: ModelCallOptions,
): AsyncIterable<StreamPart> {
  const call = prepare(model, context, options);
  const mcpTools = await bindMcpTools(context.mcp!, model.mcpServers, options.signal);
  reportBinding(model, context, mcpTools);
  if (mcpTools.tools.length === 0) {
    yield* provider.stream(call);
    return;
  }
  yield* runToolLoop({ model: provider, call, mcpTools, maxToolIterations: context.maxToolIterations });
}
