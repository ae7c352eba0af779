import type { Redis } from "ioredis";
import { connectRedis, firstConnection } from "../state/index.js";
import type { CachedAnswer, CacheStore } from "./cache-store.js";

/**
 * Keeps the answer with its expiry and adds it to the model's index (a sorted set by time kept), then
 * drops the oldest beyond `max_entries`, in one step. KEYS: the answer, the index; ARGV: the answer,
 * ttl ms, now, the index member, max entries, the answers' key prefix.
 */
const PUT = `
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[3]) - tonumber(ARGV[2]))
local extra = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[5])
if extra > 0 then
  for _, member in ipairs(redis.call('ZRANGE', KEYS[2], 0, extra - 1)) do redis.call('DEL', ARGV[6] .. member) end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, extra - 1)
end
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1`;

type PutScript = (answerKey: string, indexKey: string, ...args: string[]) => Promise<unknown>;

/**
 * Cached answers in the project's `state:` Redis, under `key_prefix` + `cache:` + the project's
 * `namespace/name`: every instance of the project reads what any of them kept, and no other project
 * can. Redis failing is a miss (and an answer not kept), never a failed request.
 */
export class RedisCacheStore implements CacheStore {
  private readonly putScript: PutScript;
  /** Settles once the first connection is up or has failed: later commands fail at once while Redis is away. */
  private readonly connected: Promise<void>;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand("lfCachePut", { numberOfKeys: 2, lua: PUT });
    this.putScript = (redis as unknown as { lfCachePut: PutScript }).lfCachePut.bind(redis);
    this.connected = firstConnection(redis);
    // Redis away is a miss; ioredis would otherwise print every failed reconnection.
    redis.on("error", () => undefined);
  }

  static connect(url: string, keyPrefix: string): RedisCacheStore {
    return new RedisCacheStore(connectRedis(url), keyPrefix);
  }

  async get(project: string, key: string): Promise<CachedAnswer | undefined> {
    try {
      await this.connected;
      const text = await this.redis.get(this.answerKey(project, key));
      return text === null ? undefined : (JSON.parse(text) as CachedAnswer);
    } catch {
      return undefined;
    }
  }

  async put(project: string, key: string, model: string, answer: CachedAnswer, ttlMs: number, maxEntries: number): Promise<void> {
    const prefix = this.answerKey(project, "");
    await this.connected;
    await this.putScript(prefix + key, `${this.prefix}cache-index:${project}:${model}`, JSON.stringify(answer), String(Math.max(1, Math.round(ttlMs))), String(answer.createdAt), key, String(maxEntries), prefix).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private answerKey(project: string, key: string): string {
    return `${this.prefix}cache:${project}:${key}`;
  }
}
