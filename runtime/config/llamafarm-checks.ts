import type { LlamaFarmProject } from "../../schema/llamafarm.js";
import type { Severity } from "./config-issue.js";
import { ignoredFields, type LlamaFarmField } from "./llamafarm-fields.js";

type Path = Array<string | number>;
type Add = (severity: Severity, path: Path, message: string, key?: string) => void;

const SECTIONS = ignoredFields("project");
const MODEL_FIELDS = ignoredFields("model");
/** The MCP server LlamaFarm makes from `custom_code`, which its examples bind models to. */
export const CUSTOM_CODE_SERVER = "custom-runtime";

/** Warnings for the parts of a LlamaFarm project that lf accepts but does not use, each saying what lf does instead. */
export function llamafarmIssues(config: LlamaFarmProject, add: Add): void {
  const record = config as unknown as Record<string, unknown>;
  for (const [name, field] of SECTIONS) {
    if (name in record && !quiet(field, record[name])) add("warning", [], unused(field, "section"), name);
  }
  const sets = config.prompts?.length ?? 0;
  config.runtime.models.forEach((model, i) => {
    const at: Path = ["runtime", "models", i];
    const fields = model as unknown as Record<string, unknown>;
    for (const [name, field] of MODEL_FIELDS) {
      if (fields[name] !== undefined && !quiet(field, fields[name])) add("warning", at, unused(field, "field"), name);
    }
    for (const key of ["backend", "context_size", "auto_download"] as const) {
      if (model.lemonade?.[key] !== undefined) {
        add("warning", [...at, "lemonade"], `"lemonade.${key}" is a LlamaFarm setting that lf does not use, so it is ignored: it starts Lemonade Server, which lf does not do`, key);
      }
    }
    if (model.prompts?.length === 0 && model.prompt === undefined && sets > 0 && !model.router) {
      add("warning", [...at, "prompts"], `prompts: [] gives "${model.name}" no prompt set (LlamaFarm gives it every set; omit prompts for that)`);
    }
  });
}

/** A binding to the server LlamaFarm derives from `custom_code`: lf has no such server, so it is a warning, not an error. */
export function isCustomCodeServer(config: LlamaFarmProject, server: string): boolean {
  return server === CUSTOM_CODE_SERVER && (config as { custom_code?: unknown }).custom_code !== undefined;
}

function quiet(field: LlamaFarmField, value: unknown): boolean {
  return field.quietFor?.includes(value) === true;
}

function unused(field: LlamaFarmField, kind: "section" | "field"): string {
  return `"${field.name}" is a LlamaFarm ${kind} that lf does not use, so it is ignored: ${field.instead}`;
}
