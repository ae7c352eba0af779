import { createRequire } from "node:module";
import type { Redis as RedisClient, RedisOptions } from "ioredis";
import { systemClock, type Clock } from "../core/index.js";
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
  const redis = new (loadRedis())(options.redisUrl, {
    // Fail at once rather than queue while disconnected: the caller answers from local state instead.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 500,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    retryStrategy: (times) => Math.min(times * 100, 1000),
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

/** ioredis is loaded only when a project configures Redis, so the default path never pays for it. */
function loadRedis(): new (url: string, options: RedisOptions) => RedisClient {
  const require = createRequire(import.meta.url);
  return (require("ioredis") as { Redis: new (url: string, options: RedisOptions) => RedisClient }).Redis;
}
