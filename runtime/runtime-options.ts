import type { ResolvedModel } from "./config/index.js";
import type { Clock, ModelAdapter, Random } from "./core/index.js";
import type { ResponseCache } from "./cache/index.js";
import type { McpPool } from "./lazy-mcp-pool.js";
import type { RoutingEventListener } from "./routing/index.js";
import type { StateStore } from "./state/index.js";
import type { ProjectUsage } from "./usage/index.js";

/** What a `Runtime` is built with (`open-runtime.ts` picks them for the CLI and the server alike). */
export interface RuntimeOptions {
  env?: Readonly<Record<string, string | undefined>>;
  clock?: Clock;
  random?: Random;
  /** Shared counters; several runtimes (config reloads, instances via Redis) may share one. */
  store?: StateStore;
  /** MCP sessions; kept across config reloads when the servers are unchanged. */
  mcp?: McpPool;
  /**
   * Provider calls go through this `fetch` instead of pooled undici connections: for a short-lived
   * process (`lf chat`) Node's built-in fetch starts faster; a server keeps the pools.
   */
  fetch?: typeof fetch;
  /** Replaces the provider adapters (tests use it to count calls). */
  adapterFor?: (model: ResolvedModel) => ModelAdapter;
  onEvent?: RoutingEventListener;
  /** The usage ledger and budgets: every request is recorded and budgets are enforced. */
  usage?: ProjectUsage;
  /** The response cache; default: the project's own, when a model has `cache:`. */
  cache?: ResponseCache | undefined;
}

export interface ModelInfo {
  name: string;
  description: string | undefined;
  provider: string | undefined;
  modelId: string | undefined;
  isDefault: boolean;
  router: string | undefined;
}
