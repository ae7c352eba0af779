import { resolveSessions } from "../config/index.js";
import type { ChatMessage } from "../core/index.js";
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

/** `sessions:` of the project file, resolved. */
export interface SessionSettings {
  /** A session is forgotten this long after its last turn. */
  ttlMs: number;
  /** Older turns drop off beyond this many messages... */
  maxMessages: number;
  /** ...or beyond this many bytes of stored messages (their JSON); the newest turn always stays. */
  maxBytes: number;
}

/** The `sessions:` defaults, for a store made before (or without) a project file. */
export const DEFAULT_SESSION_SETTINGS: SessionSettings = resolveSessions();

/** Where a server keeps its conversations: files for one process, Redis for several. */
export interface SessionStore {
  /** What the store is, for errors, `/health/ready` and `lf status`; never a secret. */
  readonly describe: string;
  readonly kind: "files" | "redis";
  read(id: string): Promise<SessionRecord | undefined>;
  /** The stored history as runtime messages, ready to go before the new ones. */
  history(id: string): Promise<ChatMessage[]>;
  /**
   * Adds a finished turn, the new client messages (system ones are not kept) and the answer, at once:
   * turns that end together, on this instance or another, are both kept, one after the other.
   */
  append(id: string, project: string, added: readonly ChatMessage[]): Promise<void>;
  remove(id: string): Promise<boolean>;
  /** Whether the store answers now, with the reason when it does not. */
  check(): Promise<{ ok: boolean; detail?: string }>;
  close(): Promise<void>;
}

const SESSION_ID = /^[A-Za-z0-9_-]{1,128}$/;

export function checkSessionId(id: string): string {
  if (!SESSION_ID.test(id)) {
    throw new ApiError(400, "A session id holds 1 to 128 letters, digits, '_' or '-'.", "invalid_request_error", "invalid_session_id", "X-Session-ID");
  }
  return id;
}

/** A request that names a session cannot be answered without its history: 503, never a forgotten one. */
export function sessionStoreUnavailable(store: string, id: string, cause: string): ApiError {
  return new ApiError(
    503,
    `The session store (${store}) is unavailable: ${cause}. This request names session ${id}, which cannot be read or saved until it is back; requests without X-Session-ID are still served.`,
    "server_error",
    "session_store_unavailable",
    "X-Session-ID",
  );
}

/** A stored record's messages as runtime messages. */
export function historyOf(record: SessionRecord | undefined): ChatMessage[] {
  return record ? parseMessages(record.messages, "session") : [];
}

/** The messages of a turn that are kept, in the stored shape (system messages are not). */
export function toStoredMessages(added: readonly ChatMessage[]): StoredMessage[] {
  const out: StoredMessage[] = [];
  for (const message of added) if (message.role !== "system") out.push(toStored(message));
  return out;
}

function toStored(message: ChatMessage): StoredMessage {
  const content = typeof message.content === "string" || message.content === null
    ? message.content
    : message.content.map((part) => (part.type === "text" ? { type: "text", text: part.text } : { type: "image_url", image_url: { url: part.url } }));
  // `role` first: the Redis store recognises a user message by how its JSON starts.
  return {
    role: message.role as StoredMessage["role"],
    content,
    ...(message.toolCalls && message.toolCalls.length > 0
      ? { tool_calls: message.toolCalls.map((c) => ({ id: c.id, type: "function" as const, function: { name: c.name, arguments: c.arguments } })) }
      : {}),
    ...(message.toolCallId ? { tool_call_id: message.toolCallId } : {}),
  };
}

/**
 * Where a history over its caps starts again: the oldest messages drop off until both caps hold, then
 * up to the next user message, so no answer or tool result is left without what it answers. The newest
 * user message and what follows it always stay, even alone over the byte cap. The Redis store's append
 * script does the same (`session-scripts.ts`); the store contract test holds the two together.
 */
export function keptFrom(messages: ReadonlyArray<{ user: boolean; bytes: number }>, maxMessages: number, maxBytes: number): number {
  const n = messages.length;
  let bytes = 0;
  for (const m of messages) bytes += m.bytes;
  if (n <= maxMessages && bytes <= maxBytes) return 0;
  let lastUser = n - 1;
  while (lastUser >= 0 && !messages[lastUser]!.user) lastUser--;
  if (lastUser < 0) return Math.max(0, n - maxMessages);
  let start = 0;
  while (start < lastUser && (n - start > maxMessages || bytes > maxBytes)) bytes -= messages[start++]!.bytes;
  while (start < lastUser && !messages[start]!.user) start++;
  return start;
}
