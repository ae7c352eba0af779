import type Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const SCHEMA_VERSION = 1;

/** Where a project keeps its cached answers and its `lf keys` store, beside the ledger's `usage.db`. */
export function gatewayDbPath(projectDir: string): string {
  return join(projectDir, ".lf", "gateway.db");
}

/**
 * Opens (creating it and its folder if need be) the SQLite file the response cache and the key store
 * share. WAL mode, so several processes on one project folder read and write it at once; each sees
 * the others' writes at its next statement (a key revoked by `lf keys revoke` is refused at once).
 */
export function openGatewayDb(file: string): Database {
  mkdirSync(dirname(file), { recursive: true });
  const db = new (loadSqlite())(file, { timeout: 5000 });
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  migrate(db);
  return db;
}

function migrate(db: Database): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version >= SCHEMA_VERSION) return;
  db.transaction(() => {
    db.exec(`
      CREATE TABLE IF NOT EXISTS responses (
        project TEXT NOT NULL,
        key TEXT NOT NULL,
        model TEXT NOT NULL,
        created INTEGER NOT NULL,
        expires INTEGER NOT NULL,
        answer TEXT NOT NULL,
        PRIMARY KEY (project, key)
      );
      CREATE INDEX IF NOT EXISTS responses_model ON responses (project, model, created);
      CREATE TABLE IF NOT EXISTS api_keys (
        digest TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        entry TEXT NOT NULL,
        created INTEGER NOT NULL,
        revoked INTEGER
      );
      PRAGMA user_version = ${SCHEMA_VERSION};`);
  }).immediate();
}

let Sqlite: typeof Database | undefined;
/** better-sqlite3 and its native module load with the first file opened: `lf chat` reaches its model without them. */
export function loadSqlite(): typeof Database {
  Sqlite ??= createRequire(import.meta.url)("better-sqlite3") as typeof Database;
  return Sqlite;
}
