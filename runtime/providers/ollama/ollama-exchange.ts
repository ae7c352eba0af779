import { responseHeaders } from "../shared/response-headers.js";

/** A line of the NDJSON stream that is not JSON. */
export class MalformedLineError extends Error {
  constructor(line: string) {
    super(`a stream line is not JSON: ${line.length > 80 ? `${line.slice(0, 80)}…` : line}`);
    this.name = "MalformedLineError";
  }
}

/**
 * What one call through the `ollama` client saw on the wire, which the client itself does not keep:
 * the response status and headers (for Retry-After), the error a stream carried, and whether a line
 * was malformed. The client skips malformed lines with a console warning and cannot take an
 * AbortSignal, so its `fetch` is wrapped to do both jobs: every line is checked before the client
 * reads it, and the call's signal is joined to the client's own.
 */
export class OllamaExchange {
  status: number | undefined;
  headers: Record<string, string> = {};
  /** The `{"error": ...}` line of a stream that failed after its headers. */
  streamError: string | undefined;

  constructor(
    private readonly base: typeof fetch,
    private readonly signal: AbortSignal,
  ) {}

  readonly fetch: typeof fetch = async (input, init) => {
    const signal = init?.signal ? AbortSignal.any([init.signal, this.signal]) : this.signal;
    const response = await this.base(input, { ...init, signal });
    this.status = response.status;
    this.headers = responseHeaders(response.headers);
    if (!response.ok) return jsonError(response);
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (response.body === null || !url.endsWith("/api/chat")) return response;
    return new Response(response.body.pipeThrough(this.lineGuard()), { status: response.status, statusText: response.statusText, headers: response.headers });
  };

  private lineGuard(): TransformStream<Uint8Array, Uint8Array> {
    const decoder = new TextDecoder();
    const encoder = new TextEncoder();
    let buffer = "";
    const pass = (line: string, controller: TransformStreamDefaultController<Uint8Array>) => {
      if (line.trim() === "") return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new MalformedLineError(line);
      }
      const error = (value as { error?: unknown } | null)?.error;
      if (error !== undefined) this.streamError = typeof error === "string" ? error : JSON.stringify(error);
      controller.enqueue(encoder.encode(`${line}\n`));
    };
    return new TransformStream({
      transform(chunk, controller) {
        buffer += decoder.decode(chunk, { stream: true });
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        for (const line of lines) pass(line, controller);
      },
      flush(controller) {
        buffer += decoder.decode();
        pass(buffer, controller);
      },
    });
  }
}

/** The client logs to the console for error bodies that are not JSON; it gets JSON it can read quietly. */
async function jsonError(response: Response): Promise<Response> {
  if (response.headers.get("content-type")?.includes("application/json")) return response;
  const text = await response.text().catch(() => "");
  const headers = new Headers(response.headers);
  headers.set("content-type", "application/json");
  headers.delete("content-length");
  return new Response(JSON.stringify({ error: text.trim() || response.statusText || `HTTP ${response.status}` }), { status: response.status, statusText: response.statusText, headers });
}
