import { createHash, timingSafeEqual } from "node:crypto";
import type { ResolvedApiKey, ResolvedProject } from "../index.js";
import type { KeyGrant, KeyStore, LimitedKey } from "../keys/index.js";
import { ApiError } from "../wires/api-error.js";

export interface ApiKey {
  /** `namespace/name` of the projects this key may use; undefined: every project. */
  readonly projects: ReadonlySet<string> | undefined;
  /** Models and routers it may name; undefined: all. */
  readonly models: ReadonlySet<string> | undefined;
  /** Recorded with the key's requests in the ledger; undefined for a bare key. */
  readonly name?: string | undefined;
  /** Its own rpm, tpm and budgets, and the id they are counted under. */
  readonly limits: LimitedKey;
}

interface Entry extends ApiKey {
  readonly digest: Buffer;
  readonly expiresAt: number | undefined;
}

/**
 * The keys of `server.api_keys` over every served project, and the `lf keys` stores of those projects.
 * Keys of the file are kept and compared as SHA-256 digests with `timingSafeEqual`, so neither a key's
 * length nor its prefix shows in response times. A key that is not in the file is looked up by its
 * digest in the stores on every request: one revoked there is refused at once, by every instance that
 * reads the same store.
 */
export class ApiKeyTable {
  private constructor(
    private readonly entries: readonly Entry[],
    private readonly stores: readonly KeyStore[],
    private readonly storesHaveKeys: boolean,
  ) {}

  static fromProjects(projects: Iterable<ResolvedProject>, stores: readonly KeyStore[] = [], storesHaveKeys = false): ApiKeyTable {
    const entries: Entry[] = [];
    for (const project of projects) for (const key of project.server.apiKeys) entries.push(entryOf(key));
    return new ApiKeyTable(entries, stores, storesHaveKeys);
  }

  get required(): boolean {
    return this.entries.length > 0 || this.storesHaveKeys;
  }

  /** The key named by `Authorization: Bearer KEY`, or a 401: at once for the file's keys, after a store lookup otherwise. */
  authenticate(authorization: string | undefined, now = Date.now()): ApiKey | Promise<ApiKey> {
    if (authorization === undefined || authorization.length < 8 || authorization.slice(0, 7).toLowerCase() !== "bearer ") {
      throw new ApiError(401, "This server needs an API key: send Authorization: Bearer KEY.", "authentication_error", "missing_api_key");
    }
    const given = digest(authorization.slice(7).trim());
    let found: Entry | undefined;
    // Every entry is compared, so the time taken does not say which one matched.
    for (const entry of this.entries) if (timingSafeEqual(entry.digest, given) && found === undefined) found = entry;
    if (found !== undefined) return unexpired(found, found.expiresAt, now);
    if (this.stores.length === 0) throw invalidKey();
    return this.fromStores(given.toString("hex"), now);
  }

  private async fromStores(hex: string, now: number): Promise<ApiKey> {
    for (const store of this.stores) {
      let stored;
      try {
        stored = await store.find(hex);
      } catch {
        throw new ApiError(503, `The API key store (${store.describe}) cannot be reached; try again shortly.`, "server_error", "key_store_unavailable");
      }
      if (stored === undefined) continue;
      if (stored.revokedAt !== undefined) throw new ApiError(401, `API key ${stored.name} has been revoked.`, "authentication_error", "revoked_api_key");
      return unexpired(keyOf(stored, stored.name), stored.expiresAt, now);
    }
    throw invalidKey();
  }
}

/** Authenticates when keys are required, then goes on: at once, or once a store has answered. */
export function withKey(keys: ApiKeyTable, authorization: string | undefined, ctx: { key: ApiKey | undefined }, next: () => void, fail: (error: unknown) => void): void {
  if (!keys.required) return next();
  const key = keys.authenticate(authorization);
  if (!(key instanceof Promise)) {
    ctx.key = key;
    return next();
  }
  key.then((found) => {
    ctx.key = found;
    next();
  }, fail);
}

export function mayUse(key: ApiKey | undefined, project: string): boolean {
  return key?.projects === undefined || key.projects.has(project);
}

export function checkAccess(key: ApiKey | undefined, project: string): void {
  if (!mayUse(key, project)) {
    throw new ApiError(403, `This API key may not use project ${project}.`, "permission_error", "project_forbidden");
  }
}

/** A key limited to some models may name only those (the project's default included). */
export function checkModel(key: ApiKey | undefined, model: string): void {
  if (key?.models !== undefined && !key.models.has(model)) {
    throw new ApiError(403, `API key ${key.limits.id} may not use model ${model}. It may use: ${[...key.models].join(", ")}.`, "permission_error", "model_forbidden", "model");
  }
}

function entryOf(key: ResolvedApiKey): Entry {
  const hashed = digest(key.key);
  return { ...keyOf(key, key.name ?? `key-${hashed.toString("hex").slice(0, 8)}`), digest: hashed, expiresAt: key.expiresAt };
}

function keyOf(grant: KeyGrant, id: string): ApiKey {
  return {
    projects: grant.projects === undefined ? undefined : new Set(grant.projects),
    models: grant.models === undefined ? undefined : new Set(grant.models),
    name: grant.name,
    // Field by field: a key of the file carries the key itself, which must go no further.
    limits: { id, name: grant.name, projects: grant.projects, models: grant.models, rpm: grant.rpm, tpm: grant.tpm, budget: grant.budget, expiresAt: grant.expiresAt },
  };
}

function unexpired(key: ApiKey, expiresAt: number | undefined, now: number): ApiKey {
  if (expiresAt !== undefined && expiresAt <= now) {
    throw new ApiError(401, `API key ${key.limits.id} expired at ${new Date(expiresAt).toISOString()}.`, "authentication_error", "expired_api_key");
  }
  return key;
}

function invalidKey(): ApiError {
  return new ApiError(401, "Invalid API key.", "authentication_error", "invalid_api_key");
}

function digest(key: string): Buffer {
  return createHash("sha256").update(key).digest();
}
