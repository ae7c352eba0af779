import type { IncomingHttpHeaders } from "node:http";
import type { WireFormat } from "./reply-spec.js";

export type RouteKind = "chat" | "embeddings" | "models" | "tags" | "version" | "root" | "unknown";

export interface Route {
  format: WireFormat | undefined;
  kind: RouteKind;
}

const OPENAI_CHAT: Route = { format: "openai", kind: "chat" };
const OPENAI_MODELS: Route = { format: "openai", kind: "models" };
const OLLAMA_CHAT: Route = { format: "ollama", kind: "chat" };
const OPENAI_EMBEDDINGS: Route = { format: "openai", kind: "embeddings" };
const OLLAMA_EMBEDDINGS: Route = { format: "ollama", kind: "embeddings" };
const ANTHROPIC_CHAT: Route = { format: "anthropic", kind: "chat" };
const ANTHROPIC_MODELS: Route = { format: "anthropic", kind: "models" };
const UNKNOWN: Route = { format: undefined, kind: "unknown" };

/**
 * `GET /v1/models` is both OpenAI's and Anthropic's; Anthropic clients always send `anthropic-version`.
 * Lemonade Server serves the OpenAI API under `/api/v1`.
 */
export function routeOf(method: string, path: string, headers: IncomingHttpHeaders): Route {
  if (method === "POST") {
    if (path === "/v1/chat/completions" || path === "/chat/completions" || path === "/api/v1/chat/completions") return OPENAI_CHAT;
    if (path === "/api/chat") return OLLAMA_CHAT;
    if (path === "/v1/embeddings" || path === "/embeddings" || path === "/api/v1/embeddings") return OPENAI_EMBEDDINGS;
    if (path === "/api/embed") return OLLAMA_EMBEDDINGS;
    if (path === "/v1/messages") return ANTHROPIC_CHAT;
  } else if (method === "GET" || method === "HEAD") {
    if (path === "/v1/models" || path === "/models") return headers["anthropic-version"] === undefined ? OPENAI_MODELS : ANTHROPIC_MODELS;
    if (path === "/api/v1/models") return OPENAI_MODELS;
    if (path === "/api/tags") return { format: "ollama", kind: "tags" };
    if (path === "/api/version") return { format: "ollama", kind: "version" };
    if (path === "/") return { format: "ollama", kind: "root" };
  }
  if (path.startsWith("/api/")) return { format: "ollama", kind: "unknown" };
  return UNKNOWN;
}

/** What the real API rejects with a 400 before doing anything: the fake catches adapters that send less. */
export function invalidRequest(format: WireFormat, body: unknown): string | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return format === "ollama" ? "invalid request body" : "We could not parse the JSON body of your request.";
  }
  const fields = body as Record<string, unknown>;
  if (typeof fields.model !== "string" || fields.model === "") {
    if (format === "openai") return "you must provide a model parameter";
    return format === "ollama" ? "model is required" : "model: Field required";
  }
  if (format === "openai" && !Array.isArray(fields.messages)) return "Missing required parameter: 'messages'.";
  if (format === "anthropic") {
    if (!Array.isArray(fields.messages)) return "messages: Field required";
    if (typeof fields.max_tokens !== "number") return "max_tokens: Field required";
  }
  return undefined;
}

/** Whether the caller asked for a stream, by each API's own default. */
export function wantsStream(format: WireFormat, body: Record<string, unknown>): boolean {
  return format === "ollama" ? body.stream !== false : body.stream === true;
}

export function listing(route: Route, models: readonly string[]): unknown {
  if (route.kind === "version") return { version: "0.12.0" };
  if (route.format === "anthropic") {
    const data = models.map((id) => ({ type: "model", id, display_name: id, created_at: "2025-01-01T00:00:00Z" }));
    return { data, has_more: false, first_id: models[0] ?? null, last_id: models.at(-1) ?? null };
  }
  if (route.format === "ollama") {
    const details = { parent_model: "", format: "gguf", family: "llama", families: ["llama"], parameter_size: "1B", quantization_level: "Q4_K_M" };
    const tags = models.map((name) => ({ name, model: name, modified_at: "2025-01-01T00:00:00Z", size: 1_000_000, digest: "0".repeat(64), details }));
    return { models: tags };
  }
  return { object: "list", data: models.map((id) => ({ id, object: "model", created: 1_735_689_600, owned_by: "fake" })) };
}
