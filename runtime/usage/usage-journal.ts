import { randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { UsageRecord } from "./usage-record.js";

/** A journal file: the process that writes it and a token of its own, so a reused pid never reads as its writer. */
const FILE = /^(\d+)-([0-9a-f]+)\.jsonl$/;
/** A journal larger than this is replaced by a fresh one at the next commit. */
const ROTATE_AT_BYTES = 16 * 1024 * 1024;

/** What a commit of the ledger must also say: how far into which journal its rows reach. */
export interface JournalMark {
  name: string;
  offset: number;
}

/**
 * The usage ledger's write-ahead file: each row is written to it (one `write` to the operating system,
 * about 5 µs) before the answer it describes is complete, and the rows are committed to SQLite in
 * batches afterwards. A process that is killed leaves its journal behind with the rows it had not
 * committed yet; the next process to open the ledger copies them in. Which part of a journal is
 * committed is stored in the same SQLite transaction as the rows (a `JournalMark`), so no row is
 * copied twice, whichever moment the kill came at. A power loss can still cost what the operating
 * system had not written to disk, as with SQLite's own `synchronous = NORMAL`.
 */
export class UsageJournal {
  readonly name: string;
  private fd: number;
  private offset = 0;
  /** Lines of this event-loop turn, written together at its end (group commit). */
  private pending: string[] = [];
  private batch: { promise: Promise<void>; resolve: () => void; reject: (error: unknown) => void } | undefined;

  private constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    this.name = `${process.pid}-${randomBytes(6).toString("hex")}.jsonl`;
    this.fd = openSync(join(dir, this.name), "a");
    live.add(this.name);
  }

  static open(dir: string): UsageJournal {
    return new UsageJournal(dir);
  }

  /**
   * Writes one row through to the operating system, together with the other rows of this event-loop
   * turn (one write for all the requests that end in it). Resolves once written: an answer is
   * completed only after that.
   */
  write(record: UsageRecord): Promise<void> {
    this.pending.push(JSON.stringify(record));
    if (this.batch === undefined) {
      let resolve!: () => void;
      let reject!: (error: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      this.batch = { promise, resolve, reject };
      setImmediate(() => this.drain());
    }
    return this.batch.promise;
  }

  /** Writes the rows still waiting for the end of this turn, now. */
  drain(): void {
    const batch = this.batch;
    if (batch === undefined) return;
    this.batch = undefined;
    const text = `${this.pending.join("\n")}\n`;
    this.pending = [];
    try {
      this.offset += writeSync(this.fd, text);
      batch.resolve();
    } catch (error) {
      batch.reject(error);
    }
  }

  /** Everything written so far: what a commit of every queued row covers. */
  mark(): JournalMark {
    this.drain();
    return { name: this.name, offset: this.offset };
  }

  /** After a commit covering everything: a large journal is replaced by an empty one. */
  rotateIfLarge(forget: (name: string) => void): void {
    if (this.offset < ROTATE_AT_BYTES) return;
    closeSync(this.fd);
    unlinkSync(join(this.dir, this.name));
    forget(this.name);
    this.offset = 0;
    this.fd = openSync(join(this.dir, this.name), "a");
  }

  /** Closes and deletes the journal: call once every row in it is committed. */
  close(forget: (name: string) => void): void {
    this.drain();
    live.delete(this.name);
    closeSync(this.fd);
    unlinkSync(join(this.dir, this.name));
    forget(this.name);
  }
}

/** Journals open in this process: never recovered by another ledger of the same process. */
const live = new Set<string>();

/** The journals in `dir` whose writers are gone (neither running nor open in this process). */
export function abandonedJournals(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => {
    const match = FILE.exec(name);
    return match !== null && !live.has(name) && !isRunning(Number(match[1]));
  });
}

/**
 * The rows of a journal after its first `from` bytes, and its length. A last line cut off by the kill
 * (no newline) was never complete, so its request was still in flight: it is left out.
 */
export function readJournal(dir: string, name: string, from: number): { length: number; records: UsageRecord[] } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(dir, name));
  } catch {
    return { length: 0, records: [] };
  }
  const records: UsageRecord[] = [];
  if (from < bytes.length) {
    const text = bytes.subarray(from).toString("utf8");
    for (const line of text.slice(0, text.lastIndexOf("\n") + 1).split("\n")) {
      if (line === "") continue;
      try {
        records.push(JSON.parse(line) as UsageRecord);
      } catch {
        // A line that is not JSON cannot be a row we wrote whole; nothing to recover from it.
      }
    }
  }
  return { length: bytes.length, records };
}

/** Deletes a journal whose rows are committed. */
export function removeJournal(dir: string, name: string): void {
  try {
    unlinkSync(join(dir, name));
  } catch {
    // Already gone: another process recovered it first.
  }
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: a process we may not signal is running under that pid.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
