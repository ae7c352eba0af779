import type { Redis } from "ioredis";
import { systemClock, type Clock } from "../core/index.js";
import type { ChatMessage } from "../index.js";
import { APPEND_TURN } from "./session-scripts.js";
import {
  checkSessionId,
  DEFAULT_SESSION_SETTINGS,
  historyOf,
  sessionStoreUnavailable,
  toStoredMessages,
  type SessionRecord,
  type SessionSettings,
  type SessionStore,
  type StoredMessage,
} from "./session-store.js";

export interface RedisSessionStoreOptions {
  /** `state.key_prefix` then the project (`namespace/name`): sessions of two projects never meet. */
  keyPrefix: string;
  project: string;
  /** Where the client points, without credentials, for messages. */
  describe: string;
  settings?: Partial<SessionSettings>;
  clock?: Clock;
  /** How long the first calls wait for the first connection. Default 2 s. */
  firstConnectMs?: number;
}

type AppendFn = (list: string, meta: string, ...args: string[]) => Promise<number>;

/**
 * Conversations shared by every instance through Redis: a list of messages (one JSON string each) and
 * a hash of times per session, both expiring `sessions.ttl` after the last turn. A turn is appended by
 * one script (`APPEND_TURN`), so no turn is lost when instances answer one session at once. When Redis
 * does not answer, every call fails at once with a 503 that names the store: a request with a session
 * is refused rather than answered without its history.
 */
export class RedisSessionStore implements SessionStore {
  readonly kind = "redis";
  readonly describe: string;
  private readonly settings: SessionSettings;
  private readonly clock: Clock;
  private readonly prefix: string;
  private readonly firstConnect: Promise<void>;
  private lastError: string | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisSessionStoreOptions,
  ) {
    this.describe = options.describe;
    this.settings = { ...DEFAULT_SESSION_SETTINGS, ...options.settings };
    this.clock = options.clock ?? systemClock;
    this.prefix = `${options.keyPrefix}session:`;
    redis.defineCommand("lfAppendTurn", { numberOfKeys: 2, lua: APPEND_TURN });
    redis.on("error", (error: Error) => (this.lastError = error.message));
    // The first calls may come before the first connection; later ones fail at once while it is down.
    this.firstConnect = new Promise<void>((resolve) => {
      if (redis.status === "ready") return resolve();
      const timer = setTimeout(resolve, options.firstConnectMs ?? 2000);
      timer.unref();
      redis.once("ready", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async read(id: string): Promise<SessionRecord | undefined> {
    const [list, meta] = this.keys(id);
    const [fields, items] = await this.call(id, async () => {
      const replies = await this.redis.multi().hgetall(meta).lrange(list, 0, -1).exec();
      if (replies === null) throw new Error("the read was aborted");
      for (const [error] of replies) if (error) throw error;
      return replies.map(([, value]) => value) as [Record<string, string>, string[]];
    });
    if (fields.created_at === undefined) return undefined;
    return {
      id,
      project: fields.project ?? this.options.project,
      created_at: Number(fields.created_at),
      updated_at: Number(fields.updated_at),
      messages: items.map((item) => JSON.parse(item) as StoredMessage),
    };
  }

  async history(id: string): Promise<ChatMessage[]> {
    return historyOf(await this.read(id));
  }

  async append(id: string, project: string, added: readonly ChatMessage[]): Promise<void> {
    const [list, meta] = this.keys(id);
    const messages = toStoredMessages(added).map((m) => JSON.stringify(m));
    const { ttlMs, maxMessages, maxBytes } = this.settings;
    const script = (this.redis as unknown as { lfAppendTurn: AppendFn }).lfAppendTurn;
    await this.call(id, () => script.call(this.redis, list, meta, String(this.clock.now()), String(ttlMs), String(maxMessages), String(maxBytes), project, ...messages));
  }

  async remove(id: string): Promise<boolean> {
    const [list, meta] = this.keys(id);
    return (await this.call(id, () => this.redis.del(list, meta))) > 0;
  }

  async check(): Promise<{ ok: boolean; detail?: string }> {
    await this.firstConnect;
    try {
      await this.redis.ping();
      return { ok: true };
    } catch (error) {
      return { ok: false, detail: this.cause(error) };
    }
  }

  async close(): Promise<void> {
    if (this.redis.status === "end") return;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** The list and the hash, in one hash slot so the script may touch both on a cluster too. */
  private keys(id: string): [string, string] {
    const base = `${this.prefix}{${this.options.project}/${checkSessionId(id)}}`;
    return [`${base}:messages`, `${base}:meta`];
  }

  private async call<T>(id: string, command: () => Promise<T>): Promise<T> {
    await this.firstConnect;
    try {
      return await command();
    } catch (error) {
      throw sessionStoreUnavailable(this.describe, id, this.cause(error));
    }
  }

  private cause(error: unknown): string {
    const message = error instanceof Error ? error.message : String(error);
    // ioredis says only "Stream isn't writeable" while disconnected; the connection's own error says why.
    if (this.redis.status !== "ready") return `not connected (${this.lastError ?? this.redis.status})`;
    return message;
  }
}
