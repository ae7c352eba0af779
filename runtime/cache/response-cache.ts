import type { ChatRequest, ChatRun } from "../chat-request.js";
import type { ResolvedModel, ResolvedProject } from "../config/index.js";
import type { Clock, StreamPart } from "../core/index.js";
import { gatewayDbPath } from "../state/gateway-db.js";
import { cacheKey } from "./cache-key.js";
import type { CachedAnswer, CacheStore } from "./cache-store.js";
import { KeptRun } from "./cached-runs.js";
import { RedisCacheStore } from "./redis-cache-store.js";
import { SqliteCacheStore } from "./sqlite-cache-store.js";

/** What a request asks of the cache: `refresh` skips the lookup and keeps the new answer; `off` does neither. */
export type CacheDirective = "refresh" | "off";

/** One request's way through the cache: its key, and whether it may read and keep. */
export interface CachePlan {
  /** The kept answer, when there is one and the request may take it. */
  find(): Promise<CachedAnswer | undefined>;
  /** The routed run, passed through, kept once complete when the request may keep it. */
  keep(run: ChatRun): ChatRun;
}

/**
 * A project's response cache. The store opens with the first request that a cached model takes:
 * the project's `state:` Redis (shared by instances) when it has one, else `.lf/gateway.db` beside
 * the ledger. Every entry is scoped by the project's `namespace/name`.
 */
export class ResponseCache {
  private store: CacheStore | undefined;

  constructor(
    private readonly project: ResolvedProject,
    private readonly clock: Clock,
    private readonly open: () => CacheStore = () => openCacheStore(project),
  ) {}

  /** A cache for the project when any of its models caches, else undefined. */
  static forProject(project: ResolvedProject, clock: Clock): ResponseCache | undefined {
    for (const model of project.models.values()) if (model.cache !== undefined) return new ResponseCache(project, clock);
    return undefined;
  }

  /**
   * How a request to `model` meets the cache, or undefined when it does not: the model does not cache,
   * or the request has a temperature above 0 and the cache does not take those.
   */
  plan(model: ResolvedModel, request: ChatRequest, directive: CacheDirective | undefined): CachePlan | undefined {
    const settings = model.cache;
    if (settings === undefined) return undefined;
    const temperature = request.parameters?.temperature ?? model.parameters.temperature;
    if (!settings.temperature && typeof temperature === "number" && temperature > 0) return undefined;
    const project = this.project.key;
    const key = cacheKey(project, model, request);
    return {
      find: async () => (directive === undefined ? this.opened().get(project, key, this.clock.now()) : undefined),
      keep: (run) => {
        if (directive === "off") return new KeptRun(run, "bypass", undefined);
        return new KeptRun(run, directive === "refresh" ? "bypass" : "miss", (parts, answered) =>
          this.opened().put(project, key, model.name, answerOf(parts, answered, this.clock.now()), settings.ttlMs, settings.maxEntries),
        );
      },
    };
  }

  async close(): Promise<void> {
    await this.store?.close();
  }

  private opened(): CacheStore {
    return (this.store ??= this.open());
  }
}

function answerOf(parts: StreamPart[], run: ChatRun, now: number): CachedAnswer {
  return { parts, servedBy: run.servedBy!, provider: run.provider, usage: run.usage, createdAt: now };
}

export function openCacheStore(project: ResolvedProject): CacheStore {
  const url = project.state.redisUrl;
  if (url !== undefined && url !== "") return RedisCacheStore.connect(url, project.state.keyPrefix);
  return SqliteCacheStore.open(gatewayDbPath(project.dir));
}
