import { systemClock, type Clock } from "../core/index.js";
import { connectRedis } from "./connect-redis.js";
import { MemoryStateStore } from "./memory-state-store.js";
import { RedisStateStore } from "./redis-state-store.js";
import { ResilientStateStore, type StateLogger } from "./resilient-state-store.js";
import type { StateStore } from "./state-store.js";

export interface CreateStateStoreOptions {
  /** `state.redis_url`; without it the store is this process's memory. */
  redisUrl?: string | undefined;
  /** `state.key_prefix`. Default `lf:`. */
  keyPrefix?: string | undefined;
  clock?: Clock;
  logger?: StateLogger;
  /** A Redis command that takes longer fails, and the call is answered from local state. Default 500 ms. */
  commandTimeoutMs?: number;
  /** Default 2 s. */
  connectTimeoutMs?: number;
}

/** A store chosen from the config, with what its owner needs to know about it. */
export interface ManagedStateStore extends StateStore {
  /** Counters are shared with other instances (Redis), rather than kept in this process only. */
  readonly shared: boolean;
  close(): Promise<void>;
}

/**
 * Picks the store: Redis (falling back to memory while unreachable) when a URL is configured, else
 * memory. Never throws for an unreachable Redis and never waits on one beyond its short timeouts.
 */
export function createStateStore(options: CreateStateStoreOptions = {}): ManagedStateStore {
  const clock = options.clock ?? systemClock;
  if (options.redisUrl === undefined || options.redisUrl === "") return new ProcessStateStore({ clock });
  // Fails at once rather than queueing while disconnected: the caller answers from local state instead.
  const redis = connectRedis(options.redisUrl, {
    ...(options.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: options.commandTimeoutMs }),
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
  });
  const primary = new RedisStateStore(redis, { clock, ...(options.keyPrefix === undefined ? {} : { keyPrefix: options.keyPrefix }) });
  return new ResilientStateStore(primary, new MemoryStateStore({ clock }), {
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    firstConnectMs: options.connectTimeoutMs ?? 2000,
  });
}

class ProcessStateStore extends MemoryStateStore implements ManagedStateStore {
  readonly shared = false;
  async close(): Promise<void> {}
}
