import type { StreamPart, Usage } from "../core/index.js";

/** A complete answer as the cache keeps it: the parts in the order they came, and who gave them. */
export interface CachedAnswer {
  /** Every part but errors, as streamed: replayed, they give the same chunks. */
  parts: StreamPart[];
  servedBy: string;
  provider: string | undefined;
  usage: Usage | undefined;
  /** Epoch ms when it was kept. */
  createdAt: number;
}

/** Where a project's cached answers live: SQLite beside the ledger, or Redis shared by instances. */
export interface CacheStore {
  /** The answer kept under `key` for `project`, unless it has expired. */
  get(project: string, key: string, now: number): Promise<CachedAnswer | undefined>;
  /** Keeps an answer for `ttlMs`; beyond `maxEntries` for this model the oldest go. */
  put(project: string, key: string, model: string, answer: CachedAnswer, ttlMs: number, maxEntries: number): Promise<void>;
  close(): Promise<void>;
}
