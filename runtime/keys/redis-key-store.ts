import type { Redis } from "ioredis";
import { LfError } from "../core/index.js";
import { connectRedis, describeRedisUrl, firstConnection } from "../state/index.js";
import { grantJson, parseStoredKey, type KeyStore, type StoredKey } from "./key-store.js";

/**
 * The `lf keys` store in the `state:` Redis, under `key_prefix`: `keys` (digest to grant) and
 * `key-names` (name to digest). Every instance sharing that Redis reads the same keys, so a revoked
 * one is refused by all of them at their next request. Redis failing makes `find` throw: the request
 * is refused (503), never let through.
 */
export class RedisKeyStore implements KeyStore {
  private readonly connected: Promise<void>;

  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly describe: string,
  ) {
    this.connected = firstConnection(redis);
    redis.on("error", () => undefined);
  }

  static connect(url: string, keyPrefix: string): RedisKeyStore {
    const redis = connectRedis(url);
    return new RedisKeyStore(redis, keyPrefix, describeRedisUrl(url));
  }

  async create(digest: string, key: StoredKey): Promise<void> {
    await this.ready();
    const claimed = await this.redis.hsetnx(this.names, key.name, digest);
    if (claimed === 0) throw new LfError("invalid_request", `A key named ${key.name} exists already (revoked keys keep their names).`);
    await this.redis.hset(this.keys, digest, grantJson(key));
  }

  async list(): Promise<StoredKey[]> {
    await this.ready();
    const all = await this.redis.hgetall(this.keys);
    return Object.values(all)
      .map(parseStoredKey)
      .sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name));
  }

  async revoke(name: string, at: number): Promise<boolean> {
    await this.ready();
    const digest = await this.redis.hget(this.names, name);
    if (digest === null) return false;
    const text = await this.redis.hget(this.keys, digest);
    if (text === null) return false;
    const key = parseStoredKey(text);
    if (key.revokedAt === undefined) await this.redis.hset(this.keys, digest, grantJson({ ...key, revokedAt: at }));
    return true;
  }

  async find(digest: string): Promise<StoredKey | undefined> {
    await this.ready();
    const text = await this.redis.hget(this.keys, digest);
    return text === null ? undefined : parseStoredKey(text);
  }

  async hasKeys(): Promise<boolean> {
    await this.ready();
    return (await this.redis.hlen(this.names)) > 0;
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private get keys(): string {
    return `${this.prefix}keys`;
  }

  private get names(): string {
    return `${this.prefix}key-names`;
  }

  /** A CLI command or the first request may come before the connection is up: they wait for it, briefly. */
  private ready(): Promise<void> {
    return this.connected;
  }
}
