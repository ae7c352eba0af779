import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ChatMessage } from "../index.js";
import { ApiError } from "../wires/api-error.js";
import { parseMessages } from "../wires/openai-chat/decode-chat-body.js";

/** A session's history as stored and as `GET .../sessions/{id}` returns it (OpenAI message shape). */
export interface SessionRecord {
  id: string;
  project: string;
  created_at: number;
  updated_at: number;
  messages: StoredMessage[];
}

export interface StoredMessage {
  role: "user" | "assistant" | "tool";
  content: string | unknown[] | null;
  tool_calls?: Array<{ id: string; type: "function"; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
}

const SESSION_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** Enough for a long conversation; older turns drop off so a prompt cannot grow without bound. */
export const MAX_SESSION_MESSAGES = 200;

export function checkSessionId(id: string): string {
  if (!SESSION_ID.test(id)) {
    throw new ApiError(400, "A session id holds 1 to 128 letters, digits, '_' or '-'.", "invalid_request_error", "invalid_session_id", "X-Session-ID");
  }
  return id;
}

/**
 * Conversations kept by the server, one JSON file per session under the project's `.lf/sessions/`.
 * A write goes to a temporary file first and is renamed into place, so a crash never leaves half a
 * history; writes to one session are queued so concurrent turns do not lose each other's messages.
 */
export class SessionStore {
  private readonly dir: string;
  private readonly queues = new Map<string, Promise<unknown>>();
  private madeDir = false;

  constructor(
    projectDir: string,
    private readonly maxMessages = MAX_SESSION_MESSAGES,
  ) {
    this.dir = join(projectDir, ".lf", "sessions");
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
    return Array.isArray(record.messages) ? record : undefined;
  }

  /** The stored history as runtime messages, ready to go before the new ones. */
  async history(id: string): Promise<ChatMessage[]> {
    const record = await this.read(id);
    return record ? parseMessages(record.messages, "session") : [];
  }

  /** Adds a finished turn: the new client messages (system ones are not kept) and the answer. */
  append(id: string, project: string, added: readonly ChatMessage[]): Promise<void> {
    return this.serialize(id, async () => {
      const now = Date.now();
      const record = (await this.read(id)) ?? { id, project, created_at: now, updated_at: now, messages: [] };
      for (const message of added) if (message.role !== "system") record.messages.push(toStored(message));
      record.messages = trim(record.messages, this.maxMessages);
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

function toStored(message: ChatMessage): StoredMessage {
  const content = typeof message.content === "string" || message.content === null
    ? message.content
    : message.content.map((part) => (part.type === "text" ? { type: "text", text: part.text } : { type: "image_url", image_url: { url: part.url } }));
  return {
    role: message.role as StoredMessage["role"],
    content,
    ...(message.toolCalls && message.toolCalls.length > 0
      ? { tool_calls: message.toolCalls.map((c) => ({ id: c.id, type: "function" as const, function: { name: c.name, arguments: c.arguments } })) }
      : {}),
    ...(message.toolCallId ? { tool_call_id: message.toolCallId } : {}),
  };
}

/** Keeps the newest messages, starting at a user message so no tool answer is left without its call. */
function trim(messages: StoredMessage[], max: number): StoredMessage[] {
  if (messages.length <= max) return messages;
  let start = messages.length - max;
  while (start < messages.length && messages[start]!.role !== "user") start++;
  return messages.slice(start);
}
