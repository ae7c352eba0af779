import { isAbsolute, resolve } from "node:path";
import type { McpServerConfig } from "../core/index.js";
import type { LlamaFarmProject, Model } from "../../schema/llamafarm.js";
import { parseByteSize, parseDuration } from "./duration.js";
import type { ResolvedApiKey, ResolvedCache, ResolvedProject, ResolvedServer } from "./resolved-project.js";

/**
 * The project-wide sections, resolved once: the rest of `lf` reads these and never the file's own
 * shape. The schema has filled in every default; the `??` below are for files validated without it
 * (a test's literal object).
 */
export function resolveSettings(config: LlamaFarmProject, dir: string): Pick<ResolvedProject, "mcpServers" | "requiredMcpServers" | "server" | "state" | "usage" | "sessions" | "budget" | "telemetry"> {
  const mcpServers: McpServerConfig[] = (config.mcp?.servers ?? []).map((s) => ({
    name: s.name,
    transport: s.transport,
    ...(s.command ? { command: s.command } : {}),
    args: [...(s.args ?? [])],
    ...(s.env ? { env: { ...s.env } } : {}),
    cwd: isAbsolute(s.cwd ?? ".") ? s.cwd! : resolve(dir, s.cwd ?? "."),
    ...(s.base_url ? { base_url: s.base_url } : {}),
    ...(s.headers ? { headers: { ...s.headers } } : {}),
    timeout_ms: parseDuration(s.timeout ?? "30s"),
    ...(s.required === true ? { required: true } : {}),
  }));
  const budget = config.budget;
  return {
    mcpServers,
    requiredMcpServers: new Set(mcpServers.filter((s) => s.required === true).map((s) => s.name)),
    server: resolveServer(config.server),
    state: { redisUrl: config.state?.redis_url, keyPrefix: config.state?.key_prefix ?? "lf:" },
    usage: { retentionDays: config.usage?.retention_days ?? 90, databaseUrl: config.usage?.database_url },
    sessions: resolveSessions(config.sessions),
    telemetry: {
      otlpEndpoint: config.telemetry?.otlp_endpoint,
      headers: { ...(config.telemetry?.headers ?? {}) },
      serviceName: config.telemetry?.service_name ?? "lf",
    },
    budget:
      budget === undefined
        ? undefined
        : {
            ...(budget.per_request === undefined ? {} : { perRequest: budget.per_request }),
            ...(budget.daily === undefined ? {} : { daily: budget.daily }),
            ...(budget.monthly === undefined ? {} : { monthly: budget.monthly }),
            whenExceeded: [...(budget.when_exceeded ?? [])],
          },
  };
}

/** `sessions:`, its defaults applied: also what a session store keeps to before a project has loaded. */
export function resolveSessions(sessions?: LlamaFarmProject["sessions"]): ResolvedProject["sessions"] {
  return {
    ttlMs: parseDuration(sessions?.ttl ?? "30d"),
    maxMessages: sessions?.max_messages ?? 200,
    maxBytes: parseByteSize(sessions?.max_size ?? "1mb"),
  };
}

function resolveServer(server: LlamaFarmProject["server"]): ResolvedServer {
  const timeouts = server?.timeouts;
  const requestMs = parseDuration(timeouts?.request ?? "30s");
  return {
    host: server?.host ?? "127.0.0.1",
    port: server?.port ?? 8000,
    bodyLimitBytes: parseByteSize(server?.body_limit ?? "4mb"),
    apiKeys: (server?.api_keys ?? []).map(resolveApiKey).filter((entry) => entry.key !== ""),
    corsOrigins: [...(server?.cors?.origins ?? [])],
    allowedHosts: [...(server?.allowed_hosts ?? [])],
    // Node wants the headers' deadline within the request's.
    timeouts: { headersMs: Math.min(parseDuration(timeouts?.headers ?? "10s"), requestMs), requestMs, keepAliveMs: parseDuration(timeouts?.keep_alive ?? "65s") },
    maxConnections: server?.max_connections ?? 1024,
    maxConnectionsPerClient: server?.max_connections_per_client ?? 64,
    console: { enabled: server?.console !== false, recordBodies: typeof server?.console === "object" && server.console.record_bodies === true },
  };
}

type ApiKeyEntry = NonNullable<NonNullable<LlamaFarmProject["server"]>["api_keys"]>[number];

function resolveApiKey(item: ApiKeyEntry): ResolvedApiKey {
  if (typeof item === "string") return { key: item, name: undefined, projects: undefined, models: undefined, rpm: undefined, tpm: undefined, budget: undefined, expiresAt: undefined };
  return {
    key: item.key,
    name: item.name,
    projects: item.projects === undefined ? undefined : [...item.projects],
    models: item.models === undefined ? undefined : [...item.models],
    rpm: item.rpm,
    tpm: item.tpm,
    budget: item.budget === undefined ? undefined : { ...item.budget },
    expiresAt: item.expires === undefined ? undefined : parseExpiry(item.expires),
  };
}

/** A date is UTC midnight; an ISO time is taken as written. */
export function parseExpiry(text: string): number | undefined {
  const at = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  return Number.isNaN(at) ? undefined : at;
}

type CacheBlock = NonNullable<Model["cache"]>;

/** The project's `cache:` under the model's, field by field; off when neither has one or `enabled: false`. */
export function resolveCache(project: CacheBlock | undefined, model: CacheBlock | undefined): ResolvedCache | undefined {
  if (project === undefined && model === undefined) return undefined;
  const merged = { ...project, ...model };
  if (merged.enabled === false) return undefined;
  return { ttlMs: parseDuration(merged.ttl ?? "1h"), maxEntries: merged.max_entries ?? 1000, temperature: merged.temperature ?? false };
}
