import type { RecordedRequest, Reply, ReplySource } from "./reply-spec.js";

/** The key that matches a request for any model (and one that names no model). */
export const ANY_MODEL = "*";

/**
 * Which reply a request gets. The most specific wins: the model's queue, then the model's standing
 * behaviour, then the same two for any model; with none of them the caller answers its default.
 */
export class ScriptBook {
  private readonly queues = new Map<string, ReplySource[]>();
  private readonly standing = new Map<string, ReplySource>();

  /** Queue replies, each used by exactly one request, in order. */
  script(model: string, replies: readonly ReplySource[]): void {
    const queue = this.queues.get(model);
    if (queue === undefined) this.queues.set(model, [...replies]);
    else queue.push(...replies);
  }

  /** A behaviour for every request until cleared; a queued reply still goes first. */
  always(model: string, reply: ReplySource): void {
    this.standing.set(model, reply);
  }

  /** Forget the queue and standing behaviour of one model, or of all. */
  clear(model?: string): void {
    if (model === undefined) {
      this.queues.clear();
      this.standing.clear();
      return;
    }
    this.queues.delete(model);
    this.standing.delete(model);
  }

  /** Queued replies not yet used. */
  pending(model?: string): number {
    if (model !== undefined) return this.queues.get(model)?.length ?? 0;
    let total = 0;
    for (const queue of this.queues.values()) total += queue.length;
    return total;
  }

  /** Model names the script mentions, for the model listings. */
  models(): string[] {
    const names = new Set([...this.queues.keys(), ...this.standing.keys()]);
    names.delete(ANY_MODEL);
    return [...names];
  }

  /** The reply for this request, consuming a queued one; undefined means the default reply. */
  take(request: RecordedRequest): Reply | undefined {
    if (this.queues.size === 0 && this.standing.size === 0) return undefined;
    const source = (request.model !== undefined ? this.from(request.model) : undefined) ?? this.from(ANY_MODEL);
    if (source === undefined) return undefined;
    return typeof source === "function" ? source(request) : source;
  }

  private from(model: string): ReplySource | undefined {
    const queue = this.queues.get(model);
    if (queue !== undefined && queue.length > 0) {
      const next = queue.shift();
      if (queue.length === 0) this.queues.delete(model);
      return next;
    }
    return this.standing.get(model);
  }
}
