/** The human message inside an error body, whichever common shape it has. */
export function upstreamMessage(body: unknown): string | undefined {
  if (typeof body === "string") return body.trim() === "" ? undefined : body;
  if (typeof body !== "object" || body === null) return undefined;
  const fields = body as Record<string, unknown>;
  if (typeof fields.message === "string") return fields.message;
  if (typeof fields.error === "string") return fields.error;
  if (typeof fields.detail === "string") return fields.detail;
  if (typeof fields.error === "object" && fields.error !== null) return upstreamMessage(fields.error);
  return undefined;
}

/**
 * OpenAI's SDK reads the message only from `{"error": {"message"}}`; compatible servers also answer
 * `{"error": "..."}` (Ollama, llama.cpp), `{"object": "error", "message"}` (vLLM) or `{"detail"}`
 * (FastAPI). Error bodies are rewritten into OpenAI's shape so their message survives.
 */
export function withOpenAIErrorBodies(base: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await base(input, init);
    if (response.ok) return response;
    const text = await response.text().catch(() => "");
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const error = (parsed as { error?: unknown } | undefined)?.error;
    const body = typeof error === "object" && error !== null ? text : JSON.stringify({ error: { message: upstreamMessage(parsed ?? text) ?? response.statusText } });
    const headers = new Headers(response.headers);
    headers.set("content-type", "application/json");
    headers.delete("content-length");
    headers.delete("content-encoding");
    return new Response(body, { status: response.status, statusText: response.statusText, headers });
  };
}
