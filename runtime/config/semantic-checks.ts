import { existsSync } from "node:fs";
import { KNOWN_PARAMETERS, PROVIDER_PARAMETERS, passesUnknownParameters } from "../core/provider-parameters.js";
import { providerOf } from "../providers/registry.js";
import type { LlamaFarmProject, Model } from "../../schema/llamafarm.js";
import type { ConfigIssue, Severity } from "./config-issue.js";
import { formatPath } from "./config-issue.js";
import { suggestion } from "./did-you-mean.js";
import { ggufLocation } from "./gguf-location.js";
import { CUSTOM_CODE_SERVER, isCustomCodeServer, llamafarmIssues } from "./llamafarm-checks.js";
import { toolChecks } from "./tool-checks.js";
import type { YamlLocator } from "./yaml-locator.js";

type Path = Array<string | number>;
type Env = Readonly<Record<string, string | undefined>>;

/** Checks the schema cannot express: names are unique, references resolve, no cycles, one default. */
export function semanticIssues(config: LlamaFarmProject, locator: YamlLocator, dir: string, env: Env = {}): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (severity: Severity, path: Path, message: string, key?: string) => {
    const at = key === undefined ? locator.valueAt(path) : locator.keyAt(path, key);
    issues.push({ severity, path: formatPath(locator.writtenPath(key === undefined ? path : [...path, key])), line: at.line, column: at.column, message });
  };

  llamafarmIssues(config, add);

  const models = config.runtime.models;
  const prompts = config.prompts ?? [];
  const servers = config.mcp?.servers ?? [];
  const modelNames = uniqueNames("model", models, ["runtime", "models"], add);
  const promptNames = uniqueNames("prompt set", prompts, ["prompts"], add);
  const serverNames = uniqueNames("MCP server", servers, ["mcp", "servers"], add);

  const ref = (kind: string, names: Set<string>, name: string, path: Path) => {
    if (!names.has(name)) add("error", path, `no ${kind} named "${name}"${suggestion(name, names)}`);
  };

  // One default. Both places are named by line, so the user sees which two disagree.
  const marked = models.map((m, i) => ({ m, i })).filter(({ m }) => m.default === true);
  const lineOf = (path: Path) => locator.valueAt(path).line;
  const first = marked[0];
  for (const { m, i } of marked.slice(1)) {
    const firstLine = lineOf(["runtime", "models", first!.i, "default"]);
    add("error", ["runtime", "models", i, "default"], `two default models: "${first!.m.name}" (line ${firstLine}) and "${m.name}" (line ${lineOf(["runtime", "models", i, "default"])}) are both marked default: true`);
  }
  const defaultModel = config.runtime.default_model;
  if (defaultModel !== undefined) {
    ref("model", modelNames, defaultModel, ["runtime", "default_model"]);
    const other = marked.find(({ m }) => m.name !== defaultModel);
    if (other && modelNames.has(defaultModel)) {
      add(
        "error",
        ["runtime", "models", other.i, "default"],
        `two default models: runtime.default_model (line ${lineOf(["runtime", "default_model"])}) is "${defaultModel}" but "${other.m.name}" (line ${lineOf(["runtime", "models", other.i, "default"])}) is marked default: true`,
      );
    }
  }

  models.forEach((model, i) => {
    const at: Path = ["runtime", "models", i];
    if (model.router) {
      for (const field of ["provider", "model", "base_url", "api_key"] as const) {
        if (model[field] !== undefined) add("error", at, `a router picks among other models and has no "${field}" of its own`, field);
      }
      model.router.models.forEach((member, j) => {
        const name = typeof member === "string" ? member : member.model;
        const memberPath: Path = [...at, "router", "models", j, ...(typeof member === "string" ? [] : ["model"])];
        if (name === model.name) add("error", memberPath, `router "${model.name}" cannot pick itself`);
        else ref("model", modelNames, name, memberPath);
      });
      if (model.router.strategy === "complexity" && !model.router.models.some((m) => typeof m !== "string" && m.tier)) {
        add("warning", [...at, "router", "models"], 'a complexity router maps tiers to models: give members a "tier" (simple, medium, complex, code, reasoning)');
      }
    } else {
      if (model.provider === undefined) add("error", at, 'missing required field "provider" (or a "router" block)');
      if (model.model === undefined) add("error", at, 'missing required field "model"');
    }

    if (model.prompt !== undefined && model.prompts !== undefined) {
      add("error", at, 'use "prompt" (one name) or "prompts" (a list), not both', "prompt");
    }
    if (model.prompt !== undefined) ref("prompt set", promptNames, model.prompt, [...at, "prompt"]);
    model.prompts?.forEach((p, j) => ref("prompt set", promptNames, p, [...at, "prompts", j]));

    model.fallbacks?.forEach((f, j) => {
      if (f === model.name) add("error", [...at, "fallbacks", j], `model "${model.name}" cannot fall back to itself`);
      else ref("model", modelNames, f, [...at, "fallbacks", j]);
    });

    model.mcp_servers?.forEach((binding, j) => {
      const server = typeof binding === "string" ? binding : binding.server;
      const path: Path = [...at, "mcp_servers", j, ...(typeof binding === "string" ? [] : ["server"])];
      if (!serverNames.has(server) && isCustomCodeServer(config, server)) {
        add("warning", path, `"${CUSTOM_CODE_SERVER}" is the MCP server LlamaFarm makes from custom_code, which lf does not run; this model gets no tools from it`);
      } else ref("MCP server", serverNames, server, path);
    });
    if (model.capabilities?.tools === false && model.mcp_servers && model.mcp_servers.length > 0) {
      add("warning", [...at, "mcp_servers"], `model "${model.name}" has capabilities.tools: false, so its MCP servers are not offered`);
    }

    if (model.capabilities?.embeddings === true && (model.provider === "anthropic" || model.router !== undefined)) {
      add("error", [...at, "capabilities", "embeddings"], `model "${model.name}" has capabilities.embeddings, but ${model.router ? "a router" : "Anthropic's API"} serves no embeddings`);
    }

    toolChecks(model, at, add);
    if (model.provider !== undefined) providerChecks(model, at, dir, env, add);
  });

  config.runtime.fallbacks?.forEach((f, j) => ref("model", modelNames, f, ["runtime", "fallbacks", j]));
  config.budget?.when_exceeded?.forEach((f, j) => ref("model", modelNames, f, ["budget", "when_exceeded", j]));

  for (const cycle of findCycles(models)) {
    const start = models.findIndex((m) => m.name === cycle[0]);
    add("error", ["runtime", "models", start], `fallback or router cycle: ${cycle.join(" -> ")}`);
  }

  servers.forEach((server, i) => {
    const at: Path = ["mcp", "servers", i];
    if (server.transport === "stdio") {
      if (server.command === undefined) add("error", at, 'a stdio server needs "command"');
      if (server.base_url !== undefined) add("warning", at, '"base_url" is for http and sse servers; a stdio server ignores it', "base_url");
    } else {
      if (server.base_url === undefined) add("error", at, `an ${server.transport} server needs "base_url"`);
      if (server.command !== undefined) add("warning", at, `"command" is for stdio servers; an ${server.transport} server ignores it`, "command");
    }
  });

  const host = config.server?.host ?? "127.0.0.1";
  if (!isLoopback(host) && !(config.server?.api_keys?.length)) {
    add("warning", ["server", "host"], `serving on ${host}, beyond this machine, with no server.api_keys: anyone who can reach it can use your models`);
  }
  return issues;
}

function providerChecks(model: Model, at: Path, dir: string, env: Env, add: (s: Severity, p: Path, m: string, k?: string) => void) {
  const kind = providerOf(model.provider!).parameters;
  const supported = PROVIDER_PARAMETERS[kind];
  for (const key of Object.keys(model.model_api_parameters ?? {})) {
    const known = (KNOWN_PARAMETERS as readonly string[]).includes(key);
    if (known && !supported.has(key as never)) {
      add("warning", [...at, "model_api_parameters"], `${model.provider} does not take "${key}"; it is not sent`, key);
    } else if (!known && !passesUnknownParameters(kind)) {
      add("warning", [...at, "model_api_parameters"], `"${key}" is not a parameter lf maps for ${model.provider}; it is not sent${suggestion(key, KNOWN_PARAMETERS)}`, key);
    }
  }
  if (kind === "llamacpp" && model.model !== undefined) {
    let location;
    try {
      location = ggufLocation(model.model, dir, env);
    } catch (error) {
      add("error", [...at, "model"], error instanceof Error ? error.message : String(error));
      return;
    }
    if (!existsSync(location.path)) {
      add("warning", [...at, "model"], `GGUF file not found: ${location.path}${location.source ? `; download it with lf models pull ${location.source}` : ""}`);
    }
  }
  if (model.base_url !== undefined && kind === "llamacpp") {
    add("warning", at, "a llamacpp model runs in-process; base_url is ignored", "base_url");
  }
}

function uniqueNames(
  kind: string,
  items: ReadonlyArray<{ name: string }>,
  at: Path,
  add: (s: Severity, p: Path, m: string) => void,
): Set<string> {
  const names = new Set<string>();
  items.forEach((item, i) => {
    if (names.has(item.name)) add("error", [...at, i, "name"], `duplicate ${kind} name "${item.name}"`);
    names.add(item.name);
  });
  return names;
}

/** Cycles in the graph of fallbacks and router members, each reported once. */
function findCycles(models: ReadonlyArray<Model>): string[][] {
  const edges = new Map<string, string[]>();
  for (const m of models) {
    const next = [...(m.fallbacks ?? []), ...(m.router?.models ?? []).map((r) => (typeof r === "string" ? r : r.model))];
    edges.set(m.name, next.filter((n) => n !== m.name));
  }
  const cycles: string[][] = [];
  const reported = new Set<string>();
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string) => {
    state.set(name, "visiting");
    stack.push(name);
    for (const next of edges.get(name) ?? []) {
      if (!edges.has(next)) continue;
      if (state.get(next) === "visiting") {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        const key = [...cycle.slice(0, -1)].sort().join("\0");
        if (!reported.has(key)) {
          reported.add(key);
          cycles.push(cycle);
        }
      } else if (state.get(next) === undefined) visit(next);
    }
    stack.pop();
    state.set(name, "done");
  };
  for (const m of models) if (state.get(m.name) === undefined) visit(m.name);
  return cycles;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}
