import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { systemClock, type Clock } from "../core/index.js";
import type { ChatMessage } from "../index.js";
import {
  checkSessionId,
  DEFAULT_SESSION_SETTINGS,
  historyOf,
  keptFrom,
  toStoredMessages,
  type SessionRecord,
  type SessionSettings,
  type SessionStore,
} from "./session-store.js";

/**
 * Conversations kept by one server process, one JSON file per session under the project's
 * `.lf/sessions/`. A write goes to a temporary file first and is renamed into place, so a crash never
 * leaves half a history; writes to one session are queued so concurrent turns do not lose each
 * other's messages. Several processes need the Redis store: they would not see each other's queue.
 */
export class FileSessionStore implements SessionStore {
  readonly kind = "files";
  readonly describe: string;
  private readonly dir: string;
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly settings: SessionSettings;
  private madeDir = false;

  constructor(
    projectDir: string,
    settings: Partial<SessionSettings> = {},
    private readonly clock: Clock = systemClock,
  ) {
    this.dir = join(projectDir, ".lf", "sessions");
    this.describe = `files in ${this.dir}`;
    this.settings = { ...DEFAULT_SESSION_SETTINGS, ...settings };
  }

  async read(id: string): Promise<SessionRecord | undefined> {
    let text: string;
    try {
      text = await readFile(this.file(id), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
    const record = JSON.parse(text) as SessionRecord;
    if (!Array.isArray(record.messages) || this.expired(record)) return undefined;
    return record;
  }

  async history(id: string): Promise<ChatMessage[]> {
    return historyOf(await this.read(id));
  }

  append(id: string, project: string, added: readonly ChatMessage[]): Promise<void> {
    return this.serialize(id, async () => {
      const now = this.clock.now();
      const record = (await this.read(id)) ?? { id, project, created_at: now, updated_at: now, messages: [] };
      record.messages.push(...toStoredMessages(added));
      const sized = record.messages.map((m) => ({ user: m.role === "user", bytes: Buffer.byteLength(JSON.stringify(m)) }));
      const start = keptFrom(sized, this.settings.maxMessages, this.settings.maxBytes);
      if (start > 0) record.messages = record.messages.slice(start);
      record.updated_at = now;
      await this.write(id, record);
    });
  }

  remove(id: string): Promise<boolean> {
    return this.serialize(id, async () => {
      try {
        await rm(this.file(id));
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
        throw error;
      }
    });
  }

  async check(): Promise<{ ok: boolean }> {
    return { ok: true };
  }

  /** Deletes the files of sessions past their TTL; returns how many went. */
  async sweep(): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      if (!name.endsWith(".json")) continue;
      const id = name.slice(0, -".json".length);
      await this.serialize(id, async () => {
        try {
          const record = JSON.parse(await readFile(join(this.dir, name), "utf8")) as SessionRecord;
          if (!this.expired(record)) return;
          await rm(join(this.dir, name), { force: true });
          removed++;
        } catch {
          // Unreadable or gone meanwhile: nothing to collect.
        }
      });
    }
    return removed;
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.queues.values()]);
  }

  private expired(record: SessionRecord): boolean {
    return record.updated_at + this.settings.ttlMs <= this.clock.now();
  }

  private async write(id: string, record: SessionRecord): Promise<void> {
    if (!this.madeDir) {
      await mkdir(this.dir, { recursive: true });
      this.madeDir = true;
    }
    const target = this.file(id);
    const temp = `${target}.${randomBytes(6).toString("hex")}.tmp`;
    try {
      await writeFile(temp, JSON.stringify(record), { mode: 0o600 });
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  private file(id: string): string {
    return join(this.dir, `${checkSessionId(id)}.json`);
  }

  private serialize<T>(id: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(id) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.queues.set(id, tail);
    void tail.then(() => {
      if (this.queues.get(id) === tail) this.queues.delete(id);
    });
    return next;
  }
}
