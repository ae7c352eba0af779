import { createHash, randomBytes } from "node:crypto";
import type { ResolvedApiKey } from "../config/index.js";

/** What a key may use and spend, wherever it is defined (`server.api_keys` or the `lf keys` store). */
export type KeyGrant = Omit<ResolvedApiKey, "key">;

/** A key of the `lf keys` store: its grant, and never the key itself (only its SHA-256 digest is kept). */
export interface StoredKey extends KeyGrant {
  readonly name: string;
  readonly createdAt: number;
  /** Epoch ms it was revoked at; undefined while it is valid. */
  readonly revokedAt: number | undefined;
}

/**
 * The `lf keys` store: SQLite (`.lf/gateway.db`) or the project's `state:` Redis. A key is looked up
 * by its digest on every request that carries one, so a revocation is seen at once by every instance
 * reading the same store.
 */
export interface KeyStore {
  /** Where the keys are kept, without credentials. */
  readonly describe: string;
  /** Adds a key under `digest`; a name already used is an error. */
  create(digest: string, key: StoredKey): Promise<void>;
  list(): Promise<StoredKey[]>;
  /** Marks the named key revoked; false when there is no such key. */
  revoke(name: string, at: number): Promise<boolean>;
  find(digest: string): Promise<StoredKey | undefined>;
  /** Whether any key (revoked ones included) was ever created: a server with some needs keys. */
  hasKeys(): Promise<boolean>;
  close(): Promise<void>;
}

/** The SHA-256 digest keys are kept and compared as, in hex. */
export function keyDigest(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** A new key: `lf-` and 32 random bytes, URL-safe. */
export function generateKey(): string {
  return `lf-${randomBytes(32).toString("base64url")}`;
}

/** A stored key as a store keeps it: JSON, with no key in it to leak. */
export function grantJson(key: StoredKey): string {
  return JSON.stringify(key);
}

export function parseStoredKey(text: string): StoredKey {
  const parsed = JSON.parse(text) as Partial<StoredKey> & { name: string; createdAt: number };
  return {
    name: parsed.name,
    projects: parsed.projects ?? undefined,
    models: parsed.models ?? undefined,
    rpm: parsed.rpm ?? undefined,
    tpm: parsed.tpm ?? undefined,
    budget: parsed.budget ?? undefined,
    expiresAt: parsed.expiresAt ?? undefined,
    createdAt: parsed.createdAt,
    revokedAt: parsed.revokedAt ?? undefined,
  };
}
