import { existsSync } from "node:fs";
import { redactSecrets } from "./config/index.js";
import { apiKeyStatus, defaultBaseUrl } from "./providers/index.js";
import { adapterSettings } from "./model-views.js";
import type { Runtime } from "./runtime.js";
import { storeStatus, type StoreStatus } from "./store-status.js";

export interface ModelStatus {
  name: string;
  provider: string | undefined;
  modelId: string | undefined;
  isDefault: boolean;
  router?: { strategy: string; members: string[] };
  baseUrl?: string | undefined;
  key?: { present: boolean; from: "config" | "env" | "none"; envVar: string | undefined; advice: string };
  /** "ok", "slow" (answered, over the slow threshold), "down", or "unchecked" for routers. */
  health: "ok" | "slow" | "down" | "unchecked";
  latencyMs?: number;
  detail?: string;
  circuit: string;
  limits: Record<string, number>;
}

export interface McpStatus {
  name: string;
  transport: string;
  state: string;
  /** Its models are passed over while it cannot be used. */
  required: boolean;
  tools?: number;
  detail?: string;
}

export interface ProjectStatus {
  project: string;
  file: string;
  defaultModel: string;
  defaultReachable: boolean;
  models: ModelStatus[];
  mcp: McpStatus[];
  /** Sessions and the usage ledger: where they are kept, whether that answers, rows waiting for PostgreSQL. */
  stores: StoreStatus;
}

export interface StatusOptions {
  /** Per check. */
  timeoutMs?: number;
  /** Answers slower than this are "slow". */
  slowMs?: number;
  env?: Readonly<Record<string, string | undefined>>;
  /** Also connect to each MCP server and list its tools. */
  checkMcp?: boolean;
}

/**
 * What works: every model's provider, key presence (never the key), a live connectivity check with its
 * latency, circuit state and limits, and each MCP server. Checks run in parallel, each bounded.
 */
export async function projectStatus(runtime: Runtime, options: StatusOptions = {}): Promise<ProjectStatus> {
  const project = runtime.project;
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? 5000;
  const slowMs = options.slowMs ?? 2000;
  const secrets = project.secrets;

  const models = await Promise.all(
    [...project.models.values()].map(async (model): Promise<ModelStatus> => {
      const circuit = model.router ? "-" : (await runtime.breakerState(model.name)).state;
      const limits = Object.fromEntries(Object.entries(model.limits).filter(([k, v]) => v !== undefined && !(k === "maxWaitMs" && v === 0))) as Record<string, number>;
      if (model.router) {
        return {
          name: model.name,
          provider: undefined,
          modelId: undefined,
          isDefault: model.isDefault,
          router: { strategy: model.router.strategy, members: model.router.members.map((m) => m.model) },
          health: "unchecked",
          circuit,
          limits,
        };
      }
      const settings = adapterSettings(model);
      const key = apiKeyStatus(settings, env);
      const base: ModelStatus = {
        name: model.name,
        provider: model.provider,
        modelId: model.modelId,
        isDefault: model.isDefault,
        baseUrl: settings.baseUrl ?? defaultBaseUrl(settings.provider, env),
        key: { present: key.from !== "none", from: key.from, envVar: key.envVar, advice: key.advice },
        health: "down",
        circuit,
        limits,
      };
      if (model.unavailable !== undefined) return { ...base, detail: `cannot be used: ${model.unavailable}` };
      const adapter = runtime.adapter(model.name);
      if (!adapter.check) return { ...base, health: "unchecked", detail: "this provider has no connectivity check" };
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const result = await adapter.check(signal);
        if (signal.aborted) return { ...base, health: "down", latencyMs: Math.round(result.latencyMs), detail: `no answer within ${timeoutMs} ms` };
        const health = !result.ok ? "down" : result.latencyMs > slowMs ? "slow" : "ok";
        // A model file named by its pull source is missing until it is pulled: say the command.
        const pull = !result.ok && model.ggufSource !== undefined && !existsSync(model.modelId) ? `; run lf models pull ${model.ggufSource}` : "";
        const detail = result.detail ? `${redactSecrets(result.detail, secrets)}${pull}` : undefined;
        return { ...base, health, latencyMs: Math.round(result.latencyMs), ...(detail ? { detail } : {}) };
      } catch (error) {
        const timedOut = signal.aborted;
        return { ...base, health: "down", detail: timedOut ? `no answer within ${timeoutMs} ms` : redactSecrets(error instanceof Error ? error.message : String(error), secrets) };
      }
    }),
  );

  const [mcpStatuses, stores] = await Promise.all([mcpStatus(runtime, options.checkMcp ?? true, timeoutMs), storeStatus(project, timeoutMs)]);
  const reachable = (name: string, seen = new Set<string>()): boolean => {
    if (seen.has(name)) return false;
    seen.add(name);
    const status = models.find((m) => m.name === name);
    if (!status) return false;
    if (status.router) return status.router.members.some((member) => reachable(member, seen));
    return status.health === "ok" || status.health === "slow" || status.health === "unchecked";
  };
  return {
    project: project.key,
    file: project.file,
    defaultModel: project.defaultModel,
    defaultReachable: reachable(project.defaultModel),
    models,
    mcp: mcpStatuses,
    stores,
  };
}

async function mcpStatus(runtime: Runtime, connect: boolean, timeoutMs: number): Promise<McpStatus[]> {
  const names = runtime.mcp.serverNames();
  if (connect) {
    await Promise.all(
      names.map((name) => runtime.mcp.listTools(name, AbortSignal.timeout(timeoutMs)).catch(() => undefined)),
    );
  }
  const required = runtime.project.requiredMcpServers;
  return runtime.mcp.status().map((s) => ({
    name: s.name,
    transport: s.transport,
    state: s.state,
    required: required.has(s.name),
    ...(s.tools ? { tools: s.tools.length } : {}),
    ...(s.lastError ? { detail: redactSecrets(s.lastError, runtime.project.secrets) } : {}),
  }));
}
