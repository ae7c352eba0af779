import type { ModelCallOptions, ToolDefinition } from "../core/index.js";

/** LlamaFarm's `tools_mode`: how the request's own tools meet a model's YAML tools. */
export type ToolsMode = "config_only" | "api_replace" | "api_supplement";

/**
 * A model's YAML tools beside the request's own: `api_supplement` offers both (a request tool shadows a
 * YAML tool of the same name), `api_replace` only the request's when it sends any, `config_only` only the
 * YAML ones. Both kinds are the client's to run: their calls are returned, never run by lf. `fill` is
 * applied to every string of a YAML tool (its `{{variable}}` placeholders).
 */
export function withModelTools(
  own: readonly ToolDefinition[],
  mode: ToolsMode,
  options: ModelCallOptions,
  fill: (text: string) => string = (text) => text,
): ModelCallOptions {
  const requested = options.tools ?? [];
  if (own.length === 0 && (mode !== "config_only" || requested.length === 0)) return options;
  const names = new Set(requested.map((tool) => tool.name));
  const filled = own.map((tool) => deepFill(tool, fill) as ToolDefinition);
  const tools =
    mode === "config_only"
      ? filled
      : mode === "api_replace" && requested.length > 0
        ? requested
        : [...filled.filter((tool) => !names.has(tool.name)), ...requested];
  const { tools: _tools, toolChoice, ...rest } = options;
  if (tools.length === 0) return rest;
  // A choice of a tool no longer offered would be refused by the provider; the model picks instead.
  const keepChoice = toolChoice !== undefined && (typeof toolChoice !== "object" || tools.some((tool) => tool.name === toolChoice.name));
  return { ...rest, tools, ...(keepChoice ? { toolChoice } : {}) };
}

function deepFill(value: unknown, fill: (text: string) => string): unknown {
  if (typeof value === "string") return fill(value);
  if (Array.isArray(value)) return value.map((item) => deepFill(item, fill));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, deepFill(item, fill)]));
  }
  return value;
}
