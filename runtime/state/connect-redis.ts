import { createRequire } from "node:module";
import type { Redis as RedisClient, RedisOptions } from "ioredis";

export interface ConnectRedisOptions {
  /** A command that takes longer fails. Default 500 ms. */
  commandTimeoutMs?: number;
  /** Default 2 s. */
  connectTimeoutMs?: number;
}

/**
 * A Redis client that fails at once rather than waiting: no queue while disconnected, no retry of a
 * command, short timeouts, reconnecting in the background. Its owner decides what a failure means
 * (the state store answers from local state; the session store refuses the request).
 */
export function connectRedis(url: string, options: ConnectRedisOptions = {}): RedisClient {
  return new (loadRedis())(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: options.commandTimeoutMs ?? 500,
    connectTimeout: options.connectTimeoutMs ?? 2000,
    retryStrategy: (times) => Math.min(times * 100, 1000),
  });
}

/**
 * Settles once a new client's first connection is up, has failed or `timeoutMs` has passed: what a
 * client that fails at once while disconnected waits for before its first command (a command sent
 * while it is still connecting would fail).
 */
export function firstConnection(redis: RedisClient, timeoutMs = 2000): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      redis.off("ready", done);
      redis.off("error", done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    timer.unref();
    redis.once("ready", done);
    redis.once("error", done);
  });
}

/** Where a Redis URL points, without its credentials: for messages and status. */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `Redis at ${parsed.host}${parsed.pathname.length > 1 ? parsed.pathname : ""}`;
  } catch {
    return "Redis";
  }
}

/** ioredis is loaded only when a project configures Redis, so the default path never pays for it. */
function loadRedis(): new (url: string, options: RedisOptions) => RedisClient {
  const require = createRequire(import.meta.url);
  return (require("ioredis") as { Redis: new (url: string, options: RedisOptions) => RedisClient }).Redis;
}
