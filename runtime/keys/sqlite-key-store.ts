import type Database from "better-sqlite3";
import { LfError } from "../core/index.js";
import { openGatewayDb } from "../state/gateway-db.js";
import { grantJson, parseStoredKey, type KeyStore, type StoredKey } from "./key-store.js";

/** The `lf keys` store in the project's `.lf/gateway.db`: every process on that folder reads the same rows. */
export class SqliteKeyStore implements KeyStore {
  private readonly byDigest: Database.Statement<{ entry: string; revoked: number | null }>;

  private constructor(
    private readonly db: Database,
    readonly describe: string,
  ) {
    this.byDigest = db.prepare<{ entry: string; revoked: number | null }>("SELECT entry, revoked FROM api_keys WHERE digest = ?");
  }

  static open(file: string): SqliteKeyStore {
    return new SqliteKeyStore(openGatewayDb(file), file);
  }

  async create(digest: string, key: StoredKey): Promise<void> {
    const taken = this.db.prepare<{ n: number }>("SELECT COUNT(*) AS n FROM api_keys WHERE name = ?").get(key.name);
    if ((taken?.n ?? 0) > 0) throw new LfError("invalid_request", `A key named ${key.name} exists already (revoked keys keep their names).`);
    this.db.prepare("INSERT INTO api_keys (digest, name, entry, created, revoked) VALUES (?, ?, ?, ?, NULL)").run(digest, key.name, grantJson(key), key.createdAt);
  }

  async list(): Promise<StoredKey[]> {
    return this.db
      .prepare<{ entry: string; revoked: number | null }>("SELECT entry, revoked FROM api_keys ORDER BY created, name")
      .all()
      .map((row) => withRevoked(row));
  }

  async revoke(name: string, at: number): Promise<boolean> {
    return this.db.prepare("UPDATE api_keys SET revoked = COALESCE(revoked, ?) WHERE name = ?").run(at, name).changes > 0;
  }

  async find(digest: string): Promise<StoredKey | undefined> {
    const row = this.byDigest.get(digest);
    return row === undefined ? undefined : withRevoked(row);
  }

  async hasKeys(): Promise<boolean> {
    return (this.db.prepare<{ n: number }>("SELECT COUNT(*) AS n FROM api_keys").get()?.n ?? 0) > 0;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function withRevoked(row: { entry: string; revoked: number | null }): StoredKey {
  const key = parseStoredKey(row.entry);
  return row.revoked === null ? key : { ...key, revokedAt: row.revoked };
}
