import { createRequire } from "node:module";
import { join } from "node:path";

const Database = createRequire(import.meta.url)("better-sqlite3") as new (file: string, options?: { readonly?: boolean }) => {
  prepare(sql: string): { all(): Array<Record<string, unknown>> };
  close(): void;
};

/** The rows a query reads from the usage ledger of the project in `dir` (`.lf/usage.db`), opened read-only. */
export function readLedger(dir: string, sql: string): Array<Record<string, unknown>> {
  const db = new Database(join(dir, ".lf", "usage.db"), { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}
