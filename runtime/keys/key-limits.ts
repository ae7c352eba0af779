import { LfError } from "../core/index.js";
import type { StateStore } from "../state/index.js";
import { periodOf, usd, type Ledger } from "../usage/index.js";
import type { KeyGrant } from "./key-store.js";

const MINUTE_MS = 60_000;

/** A key as its limits see it: its grant, and the id its counters are kept under. */
export interface LimitedKey extends KeyGrant {
  /** The key's name, or for an unnamed key of the file a prefix of its digest. */
  readonly id: string;
}

/** What an ended request cost, as the ledger recorded it. */
export interface KeySpend {
  costUsd: number | undefined;
  inputTokens: number;
  outputTokens: number;
}

/** Whether the key has limits at all: a key without any costs no store call. */
export function hasLimits(key: LimitedKey): boolean {
  return key.rpm !== undefined || key.tpm !== undefined || key.budget?.daily !== undefined || key.budget?.monthly !== undefined;
}

/**
 * Lets a request through the key's own limits, counted in the project's state store (so instances
 * sharing Redis share them), or refuses it with 429: `rate_limited` for rpm and tpm, `budget_exceeded`
 * naming the key's daily or monthly budget. The request is counted against rpm as it is let through.
 */
export async function admitKey(store: StateStore, key: LimitedKey, now: number): Promise<void> {
  for (const period of ["daily", "monthly"] as const) {
    const limit = key.budget?.[period];
    if (limit === undefined) continue;
    const span = periodOf(period, now);
    const spent = await store.getSpend(spendKey(key, period, span.label));
    if (spent >= limit) {
      throw new LfError("budget_exceeded", `Budget exceeded: API key ${key.id}'s ${period} budget is spent (${usd(spent)} of ${usd(limit)}), resets at ${new Date(span.end).toISOString()}.`, {
        details: { budgets: [{ scope: "key", key: key.id, period, limit, amount: spent, resetsAt: span.end }], retryAfterMs: Math.max(0, span.end - now), resetsAt: new Date(span.end).toISOString() },
      });
    }
  }
  if (key.tpm !== undefined) {
    const window = await store.peekWindow(`key:${key.id}:tpm`, MINUTE_MS);
    if (window.total >= key.tpm) throw rateLimited(key, `${key.tpm} tokens per minute`, window.resetAt - now);
  }
  if (key.rpm !== undefined) {
    const window = await store.incrWindow(`key:${key.id}:rpm`, 1, MINUTE_MS, { limit: key.rpm });
    if (!window.allowed) throw rateLimited(key, `${key.rpm} requests per minute`, window.resetAt - now);
  }
}

/** Adds an ended request's tokens to the key's tpm window and its cost to the key's day and month. */
export async function recordKeySpend(store: StateStore, key: LimitedKey, spend: KeySpend, now: number): Promise<void> {
  const writes: Promise<unknown>[] = [];
  const tokens = spend.inputTokens + spend.outputTokens;
  if (key.tpm !== undefined && tokens > 0) writes.push(store.incrWindow(`key:${key.id}:tpm`, tokens, MINUTE_MS));
  const cost = spend.costUsd ?? 0;
  if (cost > 0) {
    for (const period of ["daily", "monthly"] as const) {
      if (key.budget?.[period] === undefined) continue;
      const span = periodOf(period, now);
      writes.push(store.addSpend(spendKey(key, period, span.label), cost, span.end));
    }
  }
  await Promise.all(writes);
}

function spendKey(key: { id: string }, period: string, label: string): string {
  return `key:${key.id}:spend:${period}:${label}`;
}

function rateLimited(key: LimitedKey, limit: string, retryAfterMs: number): LfError {
  return new LfError("rate_limited", `API key ${key.id} is over its limit of ${limit}.`, { details: { retryAfterMs: Math.max(0, retryAfterMs) } });
}

const restored = new WeakMap<StateStore, Promise<void>>();

/**
 * Sets the named keys' spend for the current day and month from the project's ledger, once per store:
 * for a store that lives in this process only, so a key's budget survives a restart as the project's
 * does. A ledger that cannot be read leaves the counters as they are (they count from now on).
 */
export function restoreKeySpend(store: StateStore, ledger: Ledger, project: string, now: number): Promise<void> {
  let done = restored.get(store);
  if (done === undefined) {
    done = (async () => {
      for (const period of ["daily", "monthly"] as const) {
        const span = periodOf(period, now);
        const rows = await ledger.summarize({ since: span.start, until: span.end, project }, "key");
        for (const row of rows) {
          if (row.key !== "" && row.costUsd > 0) await store.addSpend(spendKey({ id: row.key }, period, span.label), row.costUsd, span.end);
        }
      }
    })().catch(() => undefined);
    restored.set(store, done);
  }
  return done;
}
