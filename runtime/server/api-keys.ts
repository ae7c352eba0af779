import { createHash, timingSafeEqual } from "node:crypto";
import type { ResolvedProject } from "../index.js";
import { ApiError } from "../wires/api-error.js";

export interface ApiKey {
  /** `namespace/name` of the projects this key may use; undefined: every project. */
  readonly projects: ReadonlySet<string> | undefined;
  /** Recorded with the key's requests in the ledger; undefined for a bare key. */
  readonly name?: string | undefined;
}

interface Entry extends ApiKey {
  readonly digest: Buffer;
}

/**
 * The keys of `server.api_keys`, over every served project. Keys are kept and compared as SHA-256
 * digests with `timingSafeEqual`, so neither a key's length nor its prefix shows in response times.
 */
export class ApiKeyTable {
  private constructor(private readonly entries: readonly Entry[]) {}

  static fromProjects(projects: Iterable<ResolvedProject>): ApiKeyTable {
    const entries: Entry[] = [];
    for (const project of projects) {
      for (const { key, projects: scope } of project.server.apiKeys) entries.push({ digest: digest(key), projects: scope === undefined ? undefined : new Set(scope) });
    }
    return new ApiKeyTable(entries);
  }

  get required(): boolean {
    return this.entries.length > 0;
  }

  /** The key named by `Authorization: Bearer KEY`, or a 401. */
  authenticate(authorization: string | undefined): ApiKey {
    if (authorization === undefined || authorization.length < 8 || authorization.slice(0, 7).toLowerCase() !== "bearer ") {
      throw new ApiError(401, "This server needs an API key: send Authorization: Bearer KEY.", "authentication_error", "missing_api_key");
    }
    const given = digest(authorization.slice(7).trim());
    let found: Entry | undefined;
    // Every entry is compared, so the time taken does not say which one matched.
    for (const entry of this.entries) if (timingSafeEqual(entry.digest, given) && found === undefined) found = entry;
    if (found === undefined) throw new ApiError(401, "Invalid API key.", "authentication_error", "invalid_api_key");
    return found;
  }
}

export function mayUse(key: ApiKey | undefined, project: string): boolean {
  return key?.projects === undefined || key.projects.has(project);
}

export function checkAccess(key: ApiKey | undefined, project: string): void {
  if (!mayUse(key, project)) {
    throw new ApiError(403, `This API key may not use project ${project}.`, "permission_error", "project_forbidden");
  }
}

function digest(key: string): Buffer {
  return createHash("sha256").update(key).digest();
}
