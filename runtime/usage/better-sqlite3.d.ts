// The part of better-sqlite3's API the usage ledger uses (the package ships no types of its own).
declare module "better-sqlite3" {
  class Database {
    constructor(filename: string, options?: Database.Options);
    readonly open: boolean;
    prepare<Row = unknown>(sql: string): Database.Statement<Row>;
    exec(sql: string): this;
    pragma(source: string, options?: { simple?: boolean }): unknown;
    /** `.immediate(...)` runs it in a transaction that takes the write lock at once (BEGIN IMMEDIATE). */
    transaction<F extends (...args: never[]) => unknown>(fn: F): F & { immediate: F };
    close(): this;
  }
  namespace Database {
    interface Options {
      readonly?: boolean;
      fileMustExist?: boolean;
      /** Milliseconds to wait for a lock held by another connection. */
      timeout?: number;
    }
    interface RunResult {
      changes: number;
      lastInsertRowid: number | bigint;
    }
    interface Statement<Row = unknown> {
      run(...params: unknown[]): RunResult;
      get(...params: unknown[]): Row | undefined;
      all(...params: unknown[]): Row[];
    }
  }
  export = Database;
}
