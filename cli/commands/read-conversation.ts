import { readFileSync } from "node:fs";
import { parse, printParseErrorCode, type ParseError } from "jsonc-parser";
import { ApiError, openAIChatWire, type ChatRequest } from "../../runtime/index.js";

/** A conversation read for `lf route --messages`: the request as the chat route would decode it. */
export interface Conversation {
  /** The model the body names, if any. */
  model: string | undefined;
  request: Omit<ChatRequest, "model" | "signal" | "stream">;
}

/**
 * Reads `source` (a file, or `-` for stdin): a chat completions request body (`{"model", "messages",
 * "tools", …}`) or a bare array of messages. It is decoded by the same decoder as `POST …/chat/completions`
 * and `POST …/route`, so `lf route` and the server see the same conversation. Errors name the source and
 * the line and column, or the field.
 */
export function readConversation(source: string): Conversation {
  const name = source === "-" ? "stdin" : source;
  let text: string;
  try {
    text = readFileSync(source === "-" ? 0 : source, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(code === "ENOENT" ? `${name}: no such file` : `${name}: cannot be read (${code ?? String(error)})`);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new Error(`${name}${jsonError(text) ?? `: not valid JSON (${error instanceof Error ? error.message : String(error)})`}`);
  }
  if (Array.isArray(body)) body = { messages: body };
  try {
    const decoded = openAIChatWire.decode(body);
    return { model: decoded.model, request: decoded.request };
  } catch (error) {
    if (error instanceof ApiError) throw new Error(`${name}: ${error.param === null ? "" : `${error.param}: `}${error.message}`);
    throw error;
  }
}

/**
 * `:line:col: not valid JSON (what)` for the first syntax error in `text`. JSON.parse does not always
 * say where it stopped; jsonc-parser (strict: no comments, no trailing commas) does.
 */
function jsonError(text: string): string | undefined {
  const errors: ParseError[] = [];
  parse(text, errors, { disallowComments: true, allowTrailingComma: false });
  const first = errors[0];
  if (first === undefined) return undefined;
  const before = text.slice(0, first.offset);
  const line = before.split("\n").length;
  const what = printParseErrorCode(first.error).replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return `:${line}:${before.length - before.lastIndexOf("\n")}: not valid JSON (${what})`;
}
