import type { FakeFault, FakeFinishReason, FakeReply, FakeUsage, Reply } from "./reply-spec.js";

export interface PlannedToolCall {
  id: string | undefined;
  name: string;
  /** The arguments as JSON text, streamed in `fragments`. */
  argumentsText: string;
  fragments: string[];
}

/** A reply with every default filled in, ready for an encoder. */
export interface ReplyPlan {
  chunks: string[];
  toolCalls: PlannedToolCall[];
  usage: FakeUsage;
  finishReason: FakeFinishReason;
  delayMs: number;
  chunkDelayMs: number;
  fault: FakeFault | undefined;
  headers: Record<string, string> | undefined;
}

export const DEFAULT_TEXT = "Hello from the fake provider.";
const DEFAULT_INPUT_TOKENS = 10;
const DEFAULT_ARGUMENT_FRAGMENTS = 3;

export function isBareFault(reply: Reply): reply is FakeFault {
  return typeof reply === "object" && typeof (reply as { fault?: unknown }).fault === "string";
}

/** A bare fault that strikes mid-stream needs output to strike in, so it borrows the default reply's. */
export function planReply(reply: Reply, fallback: FakeReply = { text: DEFAULT_TEXT }): ReplyPlan {
  const spec: FakeReply = typeof reply === "string" ? { text: reply } : isBareFault(reply) ? { ...fallback, fault: reply } : reply;
  const chunks = splitText(spec.text, spec.chunks);
  const toolCalls = (spec.toolCalls ?? []).map((call): PlannedToolCall => {
    const argumentsText = typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments ?? {});
    return { id: call.id, name: call.name, argumentsText, fragments: splitEven(argumentsText, call.fragments ?? DEFAULT_ARGUMENT_FRAGMENTS) };
  });
  const outputFrames = chunks.length + toolCalls.reduce((sum, call) => sum + call.fragments.length, 0);
  return {
    chunks,
    toolCalls,
    usage: spec.usage ?? { inputTokens: DEFAULT_INPUT_TOKENS, outputTokens: Math.max(1, outputFrames) },
    finishReason: spec.finishReason ?? (toolCalls.length > 0 ? "tool_calls" : "stop"),
    delayMs: spec.delayMs ?? 0,
    chunkDelayMs: spec.chunkDelayMs ?? 0,
    fault: spec.fault,
    headers: spec.headers,
  };
}

export function textOfPlan(plan: ReplyPlan): string {
  return plan.chunks.join("");
}

/** Word-sized pieces with the leading space kept, the way tokenizers stream English. */
export function splitText(text: string | readonly string[] | undefined, pieces: number | undefined): string[] {
  if (text === undefined) return [];
  if (typeof text !== "string") return [...text];
  if (text === "") return [];
  if (pieces !== undefined) return splitEven(text, pieces);
  const words = text.match(/\s*\S+/g);
  if (words === null) return [text];
  const tail = text.length - words.join("").length;
  if (tail > 0) words[words.length - 1] += text.slice(text.length - tail);
  return words;
}

/** Near-equal pieces, never splitting a surrogate pair. */
export function splitEven(text: string, pieces: number): string[] {
  const chars = Array.from(text);
  if (chars.length === 0) return [];
  const count = Math.max(1, Math.min(Math.floor(pieces), chars.length));
  const base = Math.floor(chars.length / count);
  const longer = chars.length % count;
  const out: string[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const size = base + (i < longer ? 1 : 0);
    out.push(chars.slice(at, at + size).join(""));
    at += size;
  }
  return out;
}

/** Arguments an API that wants an object (Ollama, Anthropic) can carry; broken JSON goes through as text. */
export function argumentsObject(call: PlannedToolCall): unknown {
  try {
    return JSON.parse(call.argumentsText);
  } catch {
    return call.argumentsText;
  }
}
