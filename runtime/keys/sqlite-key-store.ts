import type Database from "better-sqlite3";
import { existsSync } from "node:fs";
import { LfError } from "../core/index.js";
import { openGatewayDb } from "../state/gateway-db.js";
import { grantJson, parseStoredKey, type KeyStore, type StoredKey } from "./key-store.js";

type Row = { entry: string; revoked: number | null };

/**
 * The `lf keys` store in the project's `.lf/gateway.db`: every process on that folder reads the same
 * rows. Reading never creates the file: a project that never had a key has none, and serving it
 * leaves nothing behind.
 */
export class SqliteKeyStore implements KeyStore {
  private db: Database | undefined;
  private byDigest: Database.Statement<Row> | undefined;

  private constructor(private readonly file: string) {}

  static open(file: string): SqliteKeyStore {
    return new SqliteKeyStore(file);
  }

  get describe(): string {
    return this.file;
  }

  async create(digest: string, key: StoredKey): Promise<void> {
    const db = this.opened(true)!;
    const taken = db.prepare<{ n: number }>("SELECT COUNT(*) AS n FROM api_keys WHERE name = ?").get(key.name);
    if ((taken?.n ?? 0) > 0) throw new LfError("invalid_request", `A key named ${key.name} exists already (revoked keys keep their names).`);
    db.prepare("INSERT INTO api_keys (digest, name, entry, created, revoked) VALUES (?, ?, ?, ?, NULL)").run(digest, key.name, grantJson(key), key.createdAt);
  }

  async list(): Promise<StoredKey[]> {
    const db = this.opened(false);
    return db === undefined ? [] : db.prepare<Row>("SELECT entry, revoked FROM api_keys ORDER BY created, name").all().map(withRevoked);
  }

  async revoke(name: string, at: number): Promise<boolean> {
    const db = this.opened(false);
    return db !== undefined && db.prepare("UPDATE api_keys SET revoked = COALESCE(revoked, ?) WHERE name = ?").run(at, name).changes > 0;
  }

  async find(digest: string): Promise<StoredKey | undefined> {
    if (this.opened(false) === undefined) return undefined;
    const row = this.byDigest!.get(digest);
    return row === undefined ? undefined : withRevoked(row);
  }

  async hasKeys(): Promise<boolean> {
    const db = this.opened(false);
    return db !== undefined && (db.prepare<{ n: number }>("SELECT COUNT(*) AS n FROM api_keys").get()?.n ?? 0) > 0;
  }

  async close(): Promise<void> {
    if (this.db?.open === true) this.db.close();
  }

  private opened(create: boolean): Database | undefined {
    if (this.db === undefined) {
      if (!create && !existsSync(this.file)) return undefined;
      this.db = openGatewayDb(this.file);
      this.byDigest = this.db.prepare<Row>("SELECT entry, revoked FROM api_keys WHERE digest = ?");
    }
    return this.db;
  }
}

function withRevoked(row: Row): StoredKey {
  const key = parseStoredKey(row.entry);
  return row.revoked === null ? key : { ...key, revokedAt: row.revoked };
}
