import type { Clock } from "../../runtime/core/index.js";

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

/** Lets every promise chain that can move, move: one macrotask turn drains all queued microtasks. */
export async function flushAsync(turns = 3): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * A clock that only moves when a test moves it. `sleep` and `timer` register a timer; `advance` fires the timers
 * it passes in order, letting promise chains settle after each, so code under test sees time pass
 * exactly as it would with real timers, without waiting for them.
 */
export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = 1_700_000_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer: Timer = {
        at: this.current + ms,
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.timers.push(timer);
    });
  }

  timer(ms: number, fire: () => void): () => void {
    const timer: Timer = { at: this.current + Math.max(0, ms), seq: this.seq++, resolve: fire };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.current + ms);
  }

  async advanceTo(target: number): Promise<void> {
    await flushAsync();
    for (let next = this.earliest(); next !== undefined && next.at <= target; next = this.earliest()) {
      this.current = Math.max(this.current, next.at);
      this.timers = this.timers.filter((t) => t !== next);
      next.resolve();
      await flushAsync();
    }
    this.current = Math.max(this.current, target);
    await flushAsync();
  }

  /**
   * Moves time from timer to timer until `work` settles, as if the test simply waited for it.
   * Fails (instead of hanging) when nothing is pending and the work still has not settled.
   */
  async run<T>(work: Promise<T>, maxMs = 24 * 3600_000): Promise<T> {
    let done = false;
    const watched = work.finally(() => {
      done = true;
    });
    watched.catch(() => undefined);
    const limit = this.current + maxMs;
    while (!done) {
      await flushAsync();
      if (done) break;
      const next = this.earliest();
      if (next === undefined) throw new Error("ManualClock.run: the work is stuck with no timer pending");
      if (next.at > limit) throw new Error(`ManualClock.run: still not settled after ${maxMs}ms`);
      await this.advanceTo(next.at);
    }
    return watched;
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const timer of this.timers) if (best === undefined || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq)) best = timer;
    return best;
  }
}
