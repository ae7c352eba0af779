import type Database from "better-sqlite3";
import { openGatewayDb } from "../state/gateway-db.js";
import type { CachedAnswer, CacheStore } from "./cache-store.js";

/** Cached answers in the project's `.lf/gateway.db`: shared by the processes serving that folder. */
export class SqliteCacheStore implements CacheStore {
  private readonly select: Database.Statement<{ answer: string }>;
  private readonly upsert: Database.Statement;
  private readonly trim: Database.Statement;
  private readonly expire: Database.Statement;

  private constructor(private readonly db: Database) {
    this.select = db.prepare<{ answer: string }>("SELECT answer FROM responses WHERE project = ? AND key = ? AND expires > ?");
    this.upsert = db.prepare(
      `INSERT INTO responses (project, key, model, created, expires, answer) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (project, key) DO UPDATE SET model = excluded.model, created = excluded.created, expires = excluded.expires, answer = excluded.answer`,
    );
    this.expire = db.prepare("DELETE FROM responses WHERE project = ? AND expires <= ?");
    this.trim = db.prepare(
      `DELETE FROM responses WHERE project = ? AND model = ? AND key NOT IN
         (SELECT key FROM responses WHERE project = ? AND model = ? ORDER BY created DESC, rowid DESC LIMIT ?)`,
    );
  }

  static open(file: string): SqliteCacheStore {
    return new SqliteCacheStore(openGatewayDb(file));
  }

  async get(project: string, key: string, now: number): Promise<CachedAnswer | undefined> {
    const row = this.select.get(project, key, now);
    return row === undefined ? undefined : (JSON.parse(row.answer) as CachedAnswer);
  }

  async put(project: string, key: string, model: string, answer: CachedAnswer, ttlMs: number, maxEntries: number): Promise<void> {
    const now = answer.createdAt;
    this.db.transaction(() => {
      this.upsert.run(project, key, model, now, now + ttlMs, JSON.stringify(answer));
      this.expire.run(project, now);
      this.trim.run(project, model, project, model, maxEntries);
    })();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
