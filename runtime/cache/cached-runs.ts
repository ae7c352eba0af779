import type { ChatRun } from "../chat-request.js";
import type { StreamPart, Usage } from "../core/index.js";
import type { RouteAttempt } from "../routing/index.js";
import type { CachedAnswer } from "./cache-store.js";

/** How a run met the cache: answered from it, answered and kept, or told to pass it by. */
export type CacheOutcome = "hit" | "miss" | "bypass";

/** An answer from the cache, as a run: the kept parts again, no model called, no attempt made. */
export class ReplayedRun implements ChatRun {
  readonly cache: CacheOutcome = "hit";
  readonly attempts: readonly RouteAttempt[] = [];
  readonly toolsMissing: readonly string[] = [];
  readonly upstreamMs = 0;
  readonly ttftMs = 0;

  constructor(
    readonly requestedModel: string,
    private readonly answer: CachedAnswer,
    /** The parts as the reader gets them (through the ledger's tracking, say); default the kept ones. */
    private readonly parts: AsyncIterable<StreamPart> = replay(answer.parts),
    private readonly collected: () => Promise<StreamPart[]> = async () => answer.parts,
  ) {}

  get servedBy(): string {
    return this.answer.servedBy;
  }

  get provider(): string | undefined {
    return this.answer.provider;
  }

  get usage(): Usage | undefined {
    return this.answer.usage;
  }

  collect(): Promise<StreamPart[]> {
    return this.collected();
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamPart> {
    return this.parts[Symbol.asyncIterator]();
  }
}

export async function* replay(parts: readonly StreamPart[]): AsyncIterable<StreamPart> {
  yield* parts;
}

/**
 * A run answered by a model, passed through unchanged; once it has completed (read to its end, a
 * finish part and no error), its parts are handed to `keep`, awaited before the reader sees the end.
 * A stream the client left, or one that failed, is never kept.
 */
export class KeptRun implements ChatRun {
  constructor(
    private readonly inner: ChatRun,
    readonly cache: CacheOutcome,
    private readonly keep: ((parts: StreamPart[], run: ChatRun) => Promise<void>) | undefined,
  ) {}

  get requestedModel(): string {
    return this.inner.requestedModel;
  }
  get servedBy(): string | undefined {
    return this.inner.servedBy;
  }
  get provider(): string | undefined {
    return this.inner.provider;
  }
  get attempts(): readonly RouteAttempt[] {
    return this.inner.attempts;
  }
  get usage(): Usage | undefined {
    return this.inner.usage;
  }
  get ttftMs(): number | undefined {
    return this.inner.ttftMs;
  }
  get toolsMissing(): readonly string[] {
    return this.inner.toolsMissing;
  }
  get upstreamMs(): number {
    return this.inner.upstreamMs;
  }

  async collect(): Promise<StreamPart[]> {
    const parts = await this.inner.collect();
    await this.kept(parts);
    return parts;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StreamPart> {
    const parts: StreamPart[] = [];
    for await (const part of this.inner) {
      parts.push(part);
      yield part;
    }
    await this.kept(parts);
  }

  private async kept(parts: StreamPart[]): Promise<void> {
    if (this.keep === undefined || this.inner.servedBy === undefined) return;
    if (!parts.some((p) => p.type === "finish" && p.finishReason !== "error") || parts.some((p) => p.type === "error")) return;
    // A cache that cannot be written costs the next request a model call, never this answer.
    await this.keep(parts, this.inner).catch(() => undefined);
  }
}
