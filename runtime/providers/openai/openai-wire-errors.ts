import { upstreamMessage } from "../shared/upstream-message.js";

/**
 * The server answered with an error status. The message is read the way OpenAI's SDK reads it from
 * `{"error": {"message"}}`, and also from the shapes compatible servers use instead: `{"error": "..."}`
 * (Ollama, llama.cpp), `{"object": "error", "message"}` (vLLM), `{"detail"}` (FastAPI), plain text.
 */
export class OpenAIStatusError extends Error {
  readonly upstreamMessage: string | undefined;
  readonly errorType: string | undefined;

  constructor(
    readonly status: number,
    readonly headers: Record<string, string | string[] | undefined>,
    body: string,
    statusText: string,
  ) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    const field = (parsed as { error?: unknown } | undefined)?.error;
    const described = typeof field === "object" && field !== null ? describeErrorObject(field) : { message: upstreamMessage(parsed ?? body) ?? statusText, errorType: undefined };
    super(`${status} ${described.message ?? ""}`.trim());
    this.name = "OpenAIStatusError";
    this.upstreamMessage = described.message;
    this.errorType = described.errorType;
  }
}

/** An `{"error": ...}` object inside a 200 stream. */
export class OpenAIStreamError extends Error {
  readonly upstreamMessage: string;
  readonly errorType: string | undefined;

  constructor(
    error: unknown,
    readonly headers: Record<string, string | string[] | undefined>,
  ) {
    const described = describeErrorObject(error);
    super(described.message ?? "");
    this.name = "OpenAIStreamError";
    this.upstreamMessage = described.message ?? "";
    this.errorType = described.errorType;
  }
}

/** What OpenAI's SDK makes of an error object: its message (stringified when not a string), else the object as JSON. */
function describeErrorObject(error: unknown): { message: string | undefined; errorType: string | undefined } {
  const fields = typeof error === "object" && error !== null ? (error as Record<string, unknown>) : undefined;
  const errorType = typeof fields?.type === "string" ? fields.type : undefined;
  const own = fields?.message ? (typeof fields.message === "string" ? fields.message : JSON.stringify(fields.message)) : JSON.stringify(error);
  return { message: upstreamMessage(error) ?? own, errorType };
}
