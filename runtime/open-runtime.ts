import type { ResolvedProject } from "./config/index.js";
import { Runtime, type RuntimeOptions } from "./runtime.js";
import { createStateStore, type ManagedStateStore, type StateLogger } from "./state/index.js";
import { openProjectUsage } from "./usage/index.js";

export interface OpenRuntimeOptions extends Omit<RuntimeOptions, "store" | "usage"> {
  /** A store to share (a server keeps one across config reloads); else one is made from `state:`. */
  store?: ManagedStateStore;
  /** Record usage in the project's ledger and enforce budgets (default true). */
  usage?: boolean;
  logger?: StateLogger;
}

export interface OpenedRuntime {
  runtime: Runtime;
  store: ManagedStateStore;
  /** Closes the runtime, its ledger, and the store when this call made it. */
  close(): Promise<void>;
}

/** A Runtime with everything the project asks for: shared state (`state.redis_url`), the usage ledger, budgets. */
export async function openRuntime(project: ResolvedProject, options: OpenRuntimeOptions = {}): Promise<OpenedRuntime> {
  const ownsStore = options.store === undefined;
  const store =
    options.store ??
    createStateStore({
      redisUrl: project.state.redisUrl,
      keyPrefix: project.state.keyPrefix,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  const usage = options.usage === false ? undefined : await openProjectUsage(project, { store, ...(options.clock ? { clock: options.clock } : {}) });
  const { usage: _ignored, logger: _logger, ...runtimeOptions } = options;
  const runtime = new Runtime(project, { ...runtimeOptions, store, ...(usage ? { usage } : {}) });
  return {
    runtime,
    store,
    async close() {
      await runtime.close();
      usage?.close();
      if (ownsStore) await store.close();
    },
  };
}
