import type { ResolvedProject } from "./config/index.js";
import { Runtime, type RuntimeOptions } from "./runtime.js";
import { createStateStore, type ManagedStateStore, type StateLogger } from "./state/index.js";
import { openProjectUsage, type Ledger } from "./usage/index.js";

export interface OpenRuntimeOptions extends Omit<RuntimeOptions, "store" | "usage"> {
  /** A store to share (a server keeps one across config reloads); else one is made from `state:`. */
  store?: ManagedStateStore;
  /** A ledger to share (a server keeps one across reloads); else the project's own is opened. */
  ledger?: Ledger;
  /** With a shared ledger: rebuild spend from it (once per new store). */
  restore?: boolean;
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

/**
 * The composition root: a Runtime with everything the project asks for (shared state from
 * `state.redis_url`, the usage ledger, budgets, MCP servers). `lf chat` and every generation `lf serve`
 * builds go through here; the server passes the parts it keeps across reloads.
 */
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
  const usage =
    options.usage === false
      ? undefined
      : await openProjectUsage(project, {
          store,
          ...(options.clock ? { clock: options.clock } : {}),
          ...(options.logger ? { logger: options.logger } : {}),
          ...(options.ledger ? { ledger: options.ledger } : {}),
          ...(options.restore === undefined ? {} : { restore: options.restore }),
        });
  const { usage: _ignored, logger: _logger, ledger: _ledger, restore: _restore, ...runtimeOptions } = options;
  const runtime = new Runtime(project, { ...runtimeOptions, store, ...(usage ? { usage } : {}) });
  return {
    runtime,
    store,
    async close() {
      await runtime.close();
      await usage?.close();
      if (ownsStore) await store.close();
    },
  };
}
