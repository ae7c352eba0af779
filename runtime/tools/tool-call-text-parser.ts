import { TOOL_CALL_CLOSE, TOOL_CALL_OPEN } from "./prompt-tool-format.js";

export type ParsedPiece = { type: "text"; text: string } | { type: "call"; name: string; arguments: string };

/**
 * Reads `<tool_call>{"name": ..., "arguments": {...}}</tool_call>` blocks out of streamed text. Text
 * outside blocks passes through as it comes, except a tail that may be the start of a tag, which waits
 * for the next piece. Lenient where models are sloppy: whitespace, a ```json fence inside the block,
 * `parameters` for `arguments`, arguments as a JSON string, an OpenAI-style `{"function": {...}}`, and a
 * last block left unclosed when the model stopped. A block that is not such JSON is kept as text, so
 * nothing the model wrote is lost.
 */
export class ToolCallTextParser {
  private buffer = "";
  private inCall = false;

  feed(text: string): ParsedPiece[] {
    this.buffer += text;
    const out: ParsedPiece[] = [];
    for (;;) {
      if (!this.inCall) {
        const open = this.buffer.indexOf(TOOL_CALL_OPEN);
        if (open < 0) {
          const keep = partialTagLength(this.buffer, TOOL_CALL_OPEN);
          pushText(out, this.buffer.slice(0, this.buffer.length - keep));
          this.buffer = this.buffer.slice(this.buffer.length - keep);
          return out;
        }
        pushText(out, this.buffer.slice(0, open));
        this.buffer = this.buffer.slice(open + TOOL_CALL_OPEN.length);
        this.inCall = true;
      } else {
        const close = this.buffer.indexOf(TOOL_CALL_CLOSE);
        if (close < 0) return out;
        out.push(parseBlock(this.buffer.slice(0, close)));
        this.buffer = this.buffer.slice(close + TOOL_CALL_CLOSE.length);
        this.inCall = false;
      }
    }
  }

  /** What is left when the text ends. */
  end(): ParsedPiece[] {
    const rest = this.buffer;
    const wasInCall = this.inCall;
    this.buffer = "";
    this.inCall = false;
    if (!wasInCall) return rest === "" ? [] : [{ type: "text", text: rest }];
    const piece = parseBlock(rest);
    return piece.type === "call" ? [piece] : [{ type: "text", text: `${TOOL_CALL_OPEN}${rest}` }];
  }
}

function parseBlock(body: string): ParsedPiece {
  const kept: ParsedPiece = { type: "text", text: `${TOOL_CALL_OPEN}${body}${TOOL_CALL_CLOSE}` };
  const json = body.trim().replace(/^```(?:json)?\s*/i, "").replace(/\s*```$/, "");
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return kept;
  }
  if (!isRecord(value)) return kept;
  const call = isRecord(value.function) ? value.function : value;
  if (typeof call.name !== "string" || call.name === "") return kept;
  const args = call.arguments ?? call.parameters ?? {};
  return { type: "call", name: call.name, arguments: typeof args === "string" ? args : JSON.stringify(args) };
}

/** The longest end of `text` that is a beginning of `tag`. */
function partialTagLength(text: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) {
    if (tag.startsWith(text.slice(text.length - n))) return n;
  }
  return 0;
}

function pushText(out: ParsedPiece[], text: string): void {
  if (text !== "") out.push({ type: "text", text });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
