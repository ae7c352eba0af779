import { createRequire } from "node:module";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UsageLedger } from "../../runtime/usage/index.js";
import { record } from "./support/project.js";

const Database = createRequire(import.meta.url)("better-sqlite3") as new (file: string) => {
  exec(sql: string): void;
  pragma(sql: string, options?: { simple?: boolean }): unknown;
  prepare(sql: string): { all(): Array<Record<string, unknown>> };
  close(): void;
};

describe("the SQLite ledger's migration", () => {
  it("adds the cache and key columns to a ledger written before them, keeping its rows", () => {
    const file = join(mkdtempSync(join(tmpdir(), "lf-ledger-v3-")), "usage.db");
    const old = new Database(file);
    old.exec(`CREATE TABLE requests (id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, project TEXT NOT NULL, requested_model TEXT NOT NULL,
      served_model TEXT, provider TEXT, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, estimated INTEGER NOT NULL,
      cost REAL, latency_ms REAL NOT NULL, ttft_ms REAL, outcome TEXT NOT NULL, error_code TEXT, fallback_depth INTEGER NOT NULL,
      session_id TEXT, request_id TEXT, row_id TEXT);
      CREATE TABLE journal_marks (name TEXT PRIMARY KEY, offset INTEGER NOT NULL);
      INSERT INTO requests (ts, project, requested_model, served_model, input_tokens, output_tokens, estimated, cost, latency_ms, outcome, fallback_depth, row_id)
        VALUES (1000, 'team/shop', 'smart', 'smart', 10, 5, 0, 0.5, 20, 'ok', 0, 'r1');
      PRAGMA user_version = 3;`);
    old.close();

    const ledger = UsageLedger.open(file);
    ledger.insert(record({ at: 2000, costUsd: 0, cacheHit: true, savedCostUsd: 0.5, keyName: "ci" }));
    const rows = ledger.records({ since: 0, until: Infinity });
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ at: 1000, costUsd: 0.5 });
    expect(rows[0]!.cacheHit).toBeUndefined();
    expect(rows[1]).toMatchObject({ at: 2000, costUsd: 0, cacheHit: true, savedCostUsd: 0.5, keyName: "ci" });
    expect(ledger.summarize({ since: 0, until: Infinity }, "key").map((row) => [row.key, row.calls])).toEqual([
      ["", 1],
      ["ci", 1],
    ]);
    ledger.close();
    const reopened = new Database(file);
    expect(reopened.pragma("user_version", { simple: true })).toBe(4);
    reopened.close();
  });
});
