import type { Model } from "../../schema/llamafarm.js";
import type { Severity } from "./config-issue.js";

type Path = Array<string | number>;
type Add = (severity: Severity, path: Path, message: string, key?: string) => void;

/** What OpenAI and Anthropic accept as a function name (the same rule the MCP tool names follow). */
const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** A model's YAML `tools`: each named once, in one of the two shapes, with a name every provider accepts. */
export function toolChecks(model: Model, at: Path, add: Add): void {
  const tools = model.tools ?? [];
  if (tools.length === 0) return;
  if (model.router) {
    add("warning", at, "a router has no tools of its own: give the tools to its members", "tools");
    return;
  }
  if (model.capabilities?.tools === false) {
    add("warning", [...at, "tools"], `model "${model.name}" has capabilities.tools: false, so its tools are not offered`);
  }
  const seen = new Set<string>();
  tools.forEach((tool, j) => {
    const path: Path = [...at, "tools", j];
    if (tool.function !== undefined) {
      for (const key of ["name", "description", "parameters"] as const) {
        if (tool[key] !== undefined) add("error", path, `write the tool's ${key} inside "function" (OpenAI's shape) or beside "type" (LlamaFarm's), not both`, key);
      }
    } else if (tool.name === undefined) {
      add("error", path, 'a tool needs a name: "name" (LlamaFarm\'s shape) or "function.name" (OpenAI\'s)');
      return;
    }
    const name = tool.function?.name ?? tool.name!;
    const namePath: Path = tool.function ? [...path, "function", "name"] : [...path, "name"];
    if (!FUNCTION_NAME.test(name)) add("error", namePath, "a tool name holds only letters, digits, _ and -, at most 64 of them");
    else if (seen.has(name)) add("error", namePath, `two tools of this model are named "${name}"`);
    seen.add(name);
  });
}
