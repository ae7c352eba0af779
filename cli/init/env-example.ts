import { parse } from "yaml";
import { apiKeyStatus } from "../../runtime/providers/index.js";
import { referencedVariables, type ResolvedProject, type VariableReference } from "../../runtime/index.js";

/**
 * `.env.example`: every variable the project reads, written where it is used (`${VAR}` in the file) or
 * read by a provider for its own API (OPENAI_API_KEY), so a newcomer sees at once what to set.
 */
export function envExample(text: string, project: ResolvedProject | undefined): string {
  const lines = [
    "# The variables this project reads. Copy this file to .env beside llamafarm.yaml (lf reads it; git ignores it)",
    "# and fill in what you use; a variable set in the environment wins over .env.",
  ];
  const named = new Set<string>();
  for (const variable of variablesIn(parse(text))) {
    named.add(variable.name);
    lines.push("");
    if (variable.fallback !== undefined) {
      lines.push(`# ${variable.name}: optional; unset, the project uses ${variable.fallback === "" ? "an empty value" : variable.fallback}`, `# ${variable.name}=${variable.fallback}`);
    } else {
      lines.push(`# ${variable.name}: required`, `${variable.name}=`);
    }
  }
  for (const model of project?.models.values() ?? []) {
    if (model.provider === undefined || model.apiKey !== undefined) continue;
    const key = apiKeyStatus({ provider: model.provider, ...(model.baseUrl ? { baseUrl: model.baseUrl } : {}) }, {});
    if (key.envVar === undefined || !key.missing || named.has(key.envVar)) continue;
    named.add(key.envVar);
    lines.push("", `# ${key.envVar}: the key for model ${model.name} (${model.provider})`, `${key.envVar}=`);
  }
  if (named.size === 0) lines.push("", "# none: this project needs no variable");
  return `${lines.join("\n")}\n`;
}

/** The variables in the file's values (a comment that mentions `${VAR}` is not a use of it). */
function variablesIn(value: unknown, found = new Map<string, VariableReference>()): VariableReference[] {
  if (typeof value === "string") {
    for (const variable of referencedVariables(value)) if (!found.has(variable.name)) found.set(variable.name, variable);
  } else if (Array.isArray(value)) {
    for (const item of value) variablesIn(item, found);
  } else if (value !== null && typeof value === "object") {
    for (const item of Object.values(value)) variablesIn(item, found);
  }
  return [...found.values()];
}
