import type { PathAlias } from "./yaml-locator.js";

type Json = Record<string, unknown>;

/** The fields of LlamaFarm's single-model `runtime` (0.0.1-0.0.7), which become one model. */
const LEGACY_RUNTIME_FIELDS = ["provider", "model", "base_url", "api_key", "instructor_mode", "prompt_format", "model_api_parameters"];

/** The name LlamaFarm gave the model of a single-model runtime when it converted it. */
export const LEGACY_MODEL_NAME = "default";

/**
 * Rewrites LlamaFarm's older project shapes, in place, into the current one before validation:
 *
 * - 0.0.1-0.0.7: `runtime: {provider, model, base_url, api_key, instructor_mode, prompt_format,
 *   model_api_parameters}` becomes `runtime.models: [{name: default, ...}]`, as LlamaFarm itself converts it;
 * - 0.0.1: a prompt `{name, raw_text}` or `{name, sections: [{title, content: [...]}]}` becomes a prompt set
 *   with one system message (raw_text, else the sections as `# title` and `- item` lines, as LlamaFarm
 *   rendered them); LlamaFarm used only the first prompt, so the converted model takes only that one;
 * - 0.0.2-0.0.8: prompts written as bare messages `{role, content}` become one prompt set, `default`.
 *
 * Returns where each rewritten path came from, so findings still point at the line the user wrote.
 */
export function readLegacyShapes(data: unknown): PathAlias[] {
  if (!isRecord(data)) return [];
  const aliases: PathAlias[] = [];
  const firstOldPrompt = rewritePrompts(data, aliases);
  rewriteRuntime(data, aliases, firstOldPrompt);
  return aliases;
}

function rewritePrompts(data: Json, aliases: PathAlias[]): string | undefined {
  const prompts = data.prompts;
  if (!Array.isArray(prompts) || !prompts.some((p) => isRecord(p) && !("messages" in p))) return undefined;
  const out: unknown[] = [];
  const loose: Array<{ message: Json; from: number }> = [];
  let looseAt = -1;
  let firstSectioned: string | undefined;
  let sectioned = 0;
  prompts.forEach((prompt, i) => {
    if (isRecord(prompt) && !("messages" in prompt) && !("name" in prompt) && "content" in prompt) {
      if (looseAt < 0) {
        looseAt = out.length;
        out.push(undefined);
      }
      loose.push({ message: prompt, from: i });
    } else if (isRecord(prompt) && !("messages" in prompt) && ("raw_text" in prompt || "sections" in prompt)) {
      const { raw_text: raw, sections, ...rest } = prompt;
      aliases.push({ from: ["prompts", out.length, "messages"], to: ["prompts", i, "raw_text" in prompt ? "raw_text" : "sections"] });
      aliases.push({ from: ["prompts", out.length], to: ["prompts", i] });
      out.push({ ...rest, messages: [{ role: "system", content: typeof raw === "string" && raw !== "" ? raw : renderSections(sections) }] });
      if (sectioned++ === 0 && typeof prompt.name === "string") firstSectioned = prompt.name;
    } else {
      if (out.length !== i) aliases.push({ from: ["prompts", out.length], to: ["prompts", i] });
      out.push(prompt);
    }
  });
  if (looseAt >= 0) {
    const taken = new Set(out.map((p) => (isRecord(p) ? p.name : undefined)));
    let name = "default";
    for (let n = 1; taken.has(name); n++) name = `default-${n}`;
    out[looseAt] = { name, messages: loose.map(({ message }) => ({ role: "system", ...message })) };
    aliases.push({ from: ["prompts", looseAt], to: ["prompts", loose[0]!.from] });
    loose.forEach(({ from }, j) => aliases.push({ from: ["prompts", looseAt, "messages", j], to: ["prompts", from] }));
  }
  data.prompts = out;
  return sectioned > 1 ? firstSectioned : undefined;
}

function rewriteRuntime(data: Json, aliases: PathAlias[], onlyPrompt: string | undefined): void {
  const runtime = data.runtime;
  if (!isRecord(runtime) || "models" in runtime || !LEGACY_RUNTIME_FIELDS.some((field) => field in runtime)) return;
  const model: Json = { name: LEGACY_MODEL_NAME };
  for (const field of LEGACY_RUNTIME_FIELDS) {
    if (field in runtime) {
      model[field] = runtime[field];
      delete runtime[field];
    }
  }
  if (onlyPrompt !== undefined) model.prompts = [onlyPrompt];
  runtime.models = [model];
  aliases.push({ from: ["runtime", "models", 0], to: ["runtime"] }, { from: ["runtime", "models"], to: ["runtime"] });
}

function renderSections(sections: unknown): string {
  if (!Array.isArray(sections)) return "";
  const lines: string[] = [];
  for (const section of sections) {
    if (!isRecord(section) || !Array.isArray(section.content) || section.content.length === 0) continue;
    lines.push(`# ${String(section.title ?? "")}`, ...section.content.map((item) => `- ${String(item)}`), "");
  }
  return lines.join("\n").trim();
}

function isRecord(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
