import type { Redis } from "ioredis";
import type { MemoryStateStore } from "./memory-state-store.js";
import type { RedisStateStore } from "./redis-state-store.js";
import type { StateStore } from "./state-store.js";

/** Where the store reports losing and regaining Redis; a pino logger fits. */
export interface StateLogger {
  warn(message: string): void;
  info(message: string): void;
}

export interface ResilientStateStoreOptions {
  logger?: StateLogger;
  /** How often to ask a Redis that stopped answering whether it is back. Default 1 s. */
  probeIntervalMs?: number;
  /** How long the first calls wait for the initial connection before counting locally. Default 2 s. */
  firstConnectMs?: number;
}

const LOCAL_LEASE = "local:";

/**
 * Redis while it answers, this instance's own memory while it does not. Serving never waits on an
 * unreachable Redis: calls go local as soon as the connection is known to be down, and a call that
 * fails (including one that timed out) is answered locally too. A lost connection is logged once; when
 * Redis answers again sharing resumes, and spend counted locally meanwhile is added to the shared totals.
 *
 * While local, limits and breakers count only this instance's requests: every instance degrades to
 * its own view rather than refusing or hanging.
 */
export class ResilientStateStore implements StateStore {
  readonly shared = true;
  private readonly logger: StateLogger | undefined;
  private readonly redis: Redis;
  private readonly probeIntervalMs: number;
  private status: "starting" | "up" | "down" = "starting";
  private readonly firstConnect: Promise<void>;
  private endStart: () => void = () => undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private probing = false;
  /** Spend counted locally while Redis was away, added to Redis once it is back. */
  private readonly unsharedSpend = new Map<string, { amount: number; periodEnd: number }>();

  constructor(
    private readonly primary: RedisStateStore,
    private readonly local: MemoryStateStore,
    options: ResilientStateStoreOptions = {},
  ) {
    this.logger = options.logger;
    this.redis = primary.redis;
    this.probeIntervalMs = options.probeIntervalMs ?? 1000;
    this.firstConnect = new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.down("no connection yet"), options.firstConnectMs ?? 2000);
      timer.unref();
      this.endStart = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.redis.on("error", () => undefined); // reported through `down`; ioredis would print it otherwise
    this.redis.on("close", () => this.down("connection closed"));
    this.redis.on("ready", () => void this.probe());
    if (this.redis.status === "ready") void this.probe();
  }

  /** Whether calls currently go to Redis. */
  get sharing(): boolean {
    return this.status === "up";
  }

  incrWindow: StateStore["incrWindow"] = (...args) => this.use((s) => s.incrWindow(...args));
  peekWindow: StateStore["peekWindow"] = (...args) => this.use((s) => s.peekWindow(...args));
  countSlots: StateStore["countSlots"] = (...args) => this.use((s) => s.countSlots(...args));
  acquireInterval: StateStore["acquireInterval"] = (...args) => this.use((s) => s.acquireInterval(...args));
  peekInterval: StateStore["peekInterval"] = (...args) => this.use((s) => s.peekInterval(...args));
  getBreaker: StateStore["getBreaker"] = (...args) => this.use((s) => s.getBreaker(...args));
  acquireBreaker: StateStore["acquireBreaker"] = (...args) => this.use((s) => s.acquireBreaker(...args));
  recordResult: StateStore["recordResult"] = (...args) => this.use((s) => s.recordResult(...args));
  releaseProbe: StateStore["releaseProbe"] = (...args) => this.use((s) => s.releaseProbe(...args));
  recordLatency: StateStore["recordLatency"] = (...args) => this.use((s) => s.recordLatency(...args));
  getLatency: StateStore["getLatency"] = (...args) => this.use((s) => s.getLatency(...args));
  getSpend: StateStore["getSpend"] = (...args) => this.use((s) => s.getSpend(...args));

  async acquireSlot(key: string, max: number, ttlMs: number) {
    return this.use(
      (s) => s.acquireSlot(key, max, ttlMs),
      async () => {
        const result = await this.local.acquireSlot(key, max, ttlMs);
        return result.leaseId === undefined ? result : { ...result, leaseId: LOCAL_LEASE + result.leaseId };
      },
    );
  }

  /** A lease goes back to the store that granted it, whichever is in use now. */
  async releaseSlot(key: string, leaseId: string): Promise<void> {
    if (leaseId.startsWith(LOCAL_LEASE)) return this.local.releaseSlot(key, leaseId.slice(LOCAL_LEASE.length));
    await this.use(
      (s) => s.releaseSlot(key, leaseId),
      async () => undefined,
    );
  }

  async addSpend(key: string, amount: number, periodEnd: number): Promise<number> {
    return this.use(
      (s) => s.addSpend(key, amount, periodEnd),
      async () => {
        const pending = this.unsharedSpend.get(key);
        this.unsharedSpend.set(key, { amount: (pending?.amount ?? 0) + amount, periodEnd });
        return this.local.addSpend(key, amount, periodEnd);
      },
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.probeTimer !== undefined) clearTimeout(this.probeTimer);
    await this.primary.close();
  }

  private async use<T>(call: (store: StateStore) => Promise<T>, locally: () => Promise<T> = () => call(this.local)): Promise<T> {
    if (this.status === "starting") await this.firstConnect;
    if (this.status !== "up") return locally();
    try {
      return await call(this.primary);
    } catch (error) {
      this.down(error instanceof Error ? error.message : String(error));
      return locally();
    }
  }

  private down(reason: string): void {
    if (this.closed) return;
    if (this.status !== "down") {
      this.status = "down";
      this.endStart();
      this.logger?.warn(`state: Redis unavailable (${reason}); counting on this instance only until it is back`);
    }
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.probeTimer !== undefined || this.closed) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = undefined;
      void this.probe();
    }, this.probeIntervalMs);
    this.probeTimer.unref();
  }

  /** A hung Redis keeps its socket open, so being connected is not enough: it must answer. */
  private async probe(): Promise<void> {
    if (this.status === "up" || this.closed || this.probing) return;
    this.probing = true;
    try {
      if (this.redis.status !== "ready") throw new Error(this.redis.status);
      await this.redis.ping();
      await this.shareLocalSpend();
      if (this.closed) return;
      if ((this.status as string) === "down") this.logger?.info("state: Redis is back; sharing state again");
      this.status = "up";
      this.endStart();
    } catch {
      this.scheduleProbe();
    } finally {
      this.probing = false;
    }
  }

  private async shareLocalSpend(): Promise<void> {
    for (const [key, { amount, periodEnd }] of [...this.unsharedSpend]) {
      await this.primary.addSpend(key, amount, periodEnd);
      this.unsharedSpend.delete(key);
    }
  }
}
