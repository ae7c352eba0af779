import { readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseEnv } from "node:util";
import { LineCounter, isMap, parseDocument } from "yaml";
import type { LlamaFarmProject } from "../../schema/llamafarm.js";
import type { ConfigIssue } from "./config-issue.js";
import { formatPath } from "./config-issue.js";
import { substituteEnv } from "./env-substitution.js";
import { validate } from "./generated/validate-schema.js";
import { readLegacyShapes } from "./read-legacy-shapes.js";
import { resolveProject } from "./resolve-project.js";
import type { ResolvedProject } from "./resolved-project.js";
import { schemaIssues } from "./schema-errors.js";
import { semanticIssues } from "./semantic-checks.js";
import { YamlLocator } from "./yaml-locator.js";

export interface LoadOptions {
  /** The environment for `${VAR}` substitution; `.env` beside the file fills what it lacks. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Read `.env` beside the project file (default true). */
  dotenv?: boolean;
}

export interface LoadResult {
  file: string;
  /** Present when there is no error. */
  project: ResolvedProject | undefined;
  issues: ConfigIssue[];
}

/** Field names whose values are secrets, wherever they appear. */
const SECRET_FIELD = /(^|_)(api_key|key|token|secret|password|authorization)$|^(headers|env|redis_url|database_url)$/i;

export function loadProjectFile(file: string, options: LoadOptions = {}): LoadResult {
  const path = resolve(file);
  let text: string;
  try {
    if (statSync(path).isDirectory()) return failure(path, `${path} is a folder, not a project file`);
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return failure(path, code === "ENOENT" ? `no such file: ${path}` : `cannot read ${path}: ${code ?? String(error)}`);
  }
  return parseProject(text, path, options);
}

export function parseProject(text: string, file: string, options: LoadOptions = {}): LoadResult {
  const path = resolve(file);
  const dir = dirname(path);
  if (text.trim() === "" || /^(\s*#.*\n?)*\s*$/.test(text)) {
    return failure(path, "the file is empty: expected a map with version, name, namespace and runtime", 1);
  }

  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) {
    return {
      file: path,
      project: undefined,
      issues: doc.errors.map((e) => {
        const pos = lines.linePos(e.pos[0]);
        return { severity: "error", path: "", line: pos.line, column: pos.col, message: `YAML syntax: ${firstLine(e.message)}` };
      }),
    };
  }
  if (!isMap(doc.contents)) {
    const what = doc.contents === null ? "empty" : Array.isArray(doc.toJS()) ? "a list" : "a single value";
    return failure(path, `the top level is ${what}: expected a map with version, name, namespace and runtime`, 1);
  }

  const locator = new YamlLocator(doc, lines);
  const issues: ConfigIssue[] = [];
  const env = { ...(options.dotenv === false ? {} : readDotenv(dir)), ...(options.env ?? process.env) };
  const secrets = new Set<string>();
  const parsed = doc.toJS({ maxAliasCount: 100 }) as { runtime?: { models?: Array<{ name?: unknown }> } };
  /** Models with an unset variable: the reason, by model name; and the fields that hold one. */
  const unavailable = new Map<string, string>();
  const unsetFields: string[] = [];
  const unsetInModels: Array<{ issue: ConfigIssue; model: string; name: string }> = [];
  const data = substituteAll(parsed, [], env, secrets, (varPath, names) => {
    const at = locator.valueAt(varPath);
    const modelName = modelAt(parsed, varPath);
    const unset = (name: string): ConfigIssue => ({
      severity: "error",
      path: formatPath(varPath),
      line: at.line,
      column: at.column,
      message: `environment variable ${name} is not set (and has no default: write \${${name}:-default} to give one)`,
    });
    if (modelName === undefined) {
      issues.push(...names.map(unset));
      return;
    }
    // One model's missing secret must not take the others down: it is reported and passed over.
    const reason = `environment variable ${names.join(", ")} ${names.length === 1 ? "is" : "are"} not set (${formatPath(varPath)})`;
    unavailable.set(modelName, unavailable.has(modelName) ? `${unavailable.get(modelName)}; ${reason}` : reason);
    unsetFields.push(formatPath(varPath));
    unsetInModels.push(...names.map((name) => ({ issue: unset(name), model: modelName, name })));
  }, (varPath, key) => {
    const at = locator.valueAt(varPath);
    issues.push({
      severity: "warning",
      path: formatPath(varPath),
      line: at.line,
      column: at.column,
      message: `this ${key} is written in the file; put it in the environment and write \${env:VARIABLE}`,
    });
  });

  const callable = parsed.runtime?.models?.filter((m) => typeof m === "object" && m !== null && !("router" in m) && !unavailable.has(String(m.name))).length ?? 0;
  if (unavailable.size > 0 && callable === 0) {
    // No model could answer at all: the project cannot serve, as before.
    issues.push(...unsetInModels.map((u) => u.issue));
  } else {
    for (const { issue, model, name } of unsetInModels) {
      issues.push({ ...issue, severity: "warning", message: `model ${model} cannot be used until environment variable ${name} is set (or write \${${name}:-default}); the other models serve` });
    }
  }
  // LlamaFarm's older shapes become the current one; findings about them still point at what was written.
  const located = locator.withAliases(readLegacyShapes(data));
  const valid = validate(data);
  const found: ConfigIssue[] = [];
  if (!valid) found.push(...schemaIssues(validate.errors ?? [], located));
  found.push(...semanticIssuesOf(data, located, dir, valid, env));
  // A field left empty by an unset variable is already reported as such.
  issues.push(...found.filter((issue) => issue.severity !== "error" || !unsetFields.some((field) => within(issue.path, field))));
  issues.sort((a, b) => a.line - b.line || a.column - b.column);
  if (issues.some((i) => i.severity === "error")) return { file: path, project: undefined, issues };
  const project = resolveProject(data as LlamaFarmProject, path, [...secrets], env, unavailable);
  return { file: path, project, issues };
}

/** The name of the model `path` lies in (`runtime.models[i]...`), if it is one with a name. */
function modelAt(data: { runtime?: { models?: Array<{ name?: unknown }> } }, path: ReadonlyArray<string | number>): string | undefined {
  if (path[0] !== "runtime" || path[1] !== "models" || typeof path[2] !== "number" || path.length < 4 || path[3] === "name") return undefined;
  const name = data.runtime?.models?.[path[2]]?.name;
  return typeof name === "string" && !name.includes("${") ? name : undefined;
}

/** `runtime.models[1].base_url` lies within itself and holds `runtime.models[1].base_url.x`, not `...base_url2`. */
function within(path: string, field: string): boolean {
  return path === field || path.startsWith(`${field}.`) || path.startsWith(`${field}[`);
}

/** Walks the parsed document once, substituting variables; `path` is a shared stack, copied only to report. */
function substituteAll(
  value: unknown,
  path: Array<string | number>,
  env: Readonly<Record<string, string | undefined>>,
  secrets: Set<string>,
  onMissing: (path: Array<string | number>, names: string[]) => void,
  onLiteralSecret: (path: Array<string | number>, key: string) => void,
  secret = false,
): unknown {
  if (typeof value === "string") {
    const result = substituteEnv(value, env);
    if (result.missing.length > 0) onMissing([...path], result.missing);
    if (secret && result.value !== "") {
      secrets.add(result.value);
      const key = String(path[path.length - 1]);
      if (!result.substituted && /api_key$/.test(key) && looksLikeRealKey(result.value)) onLiteralSecret([...path], key);
    }
    return result.value;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      value[i] = substituteAll(value[i], path, env, secrets, onMissing, onLiteralSecret, secret);
      path.pop();
    }
    return value;
  }
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const isSecret = secret || SECRET_FIELD.test(key) || (key === "key" && path.includes("api_keys"));
      path.push(key);
      record[key] = substituteAll(record[key], path, env, secrets, onMissing, onLiteralSecret, isSecret);
      path.pop();
    }
    return record;
  }
  return value;
}

/**
 * Reference and cycle checks also run on a file with schema errors, so one run reports every problem; a
 * shape they cannot walk is already reported by the schema.
 */
function semanticIssuesOf(data: unknown, locator: YamlLocator, dir: string, valid: boolean, env: Readonly<Record<string, string | undefined>>): ConfigIssue[] {
  if (valid) return semanticIssues(data as LlamaFarmProject, locator, dir, env);
  const runtime = (data as { runtime?: { models?: unknown } }).runtime;
  if (!Array.isArray(runtime?.models)) return [];
  try {
    return semanticIssues(data as LlamaFarmProject, locator, dir, env).filter((i) => i.severity === "error");
  } catch {
    return [];
  }
}

function looksLikeRealKey(value: string): boolean {
  return /^(sk-|sk_|key-)/.test(value) || (value.length >= 32 && /^[A-Za-z0-9_\-.]+$/.test(value));
}

function readDotenv(dir: string): Record<string, string> {
  try {
    return parseEnv(readFileSync(join(dir, ".env"), "utf8")) as Record<string, string>;
  } catch {
    return {};
  }
}

function failure(file: string, message: string, line = 0): LoadResult {
  return { file, project: undefined, issues: [{ severity: "error", path: "", line, column: line ? 1 : 0, message }] };
}

function firstLine(text: string): string {
  return text.split("\n")[0]!.trim();
}
