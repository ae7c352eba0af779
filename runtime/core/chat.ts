/** The request vocabulary shared by every provider, the router, the tools loop, the server and the CLI. */
import type { CallTrace } from "./call-trace.js";

export type Role = "system" | "user" | "assistant" | "tool";

export interface TextPart {
  type: "text";
  text: string;
}

export interface ImagePart {
  type: "image";
  /** An http(s) URL or a data: URL. */
  url: string;
}

export type ContentPart = TextPart | ImagePart;

export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as JSON text, exactly as the model produced them. */
  arguments: string;
}

export interface ChatMessage {
  role: Role;
  content: string | ContentPart[] | null;
  name?: string;
  /** Assistant messages: the tools the model asked for. */
  toolCalls?: ToolCall[];
  /** Tool messages: the call this message answers. */
  toolCallId?: string;
  /** Tool messages: the tool result is an error the model should read as such. */
  isError?: boolean;
}

export interface ToolDefinition {
  name: string;
  description?: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export type ToolChoice = "auto" | "none" | "required" | { name: string };

/** Sampling and length parameters, named as in `model_api_parameters`. */
export interface ModelParameters {
  temperature?: number;
  max_tokens?: number;
  top_p?: number;
  top_k?: number;
  stop?: string[];
  seed?: number;
  num_ctx?: number;
  repeat_penalty?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  [extra: string]: unknown;
}

export type ResponseFormat = { type: "text" } | { type: "json_object" } | { type: "json_schema"; schema: Record<string, unknown>; name?: string };

/** One call to one model. Prompts, defaults and routing have already been applied. */
export interface ModelCallOptions {
  messages: ChatMessage[];
  parameters: ModelParameters;
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  responseFormat?: ResponseFormat;
  signal?: AbortSignal;
  /**
   * Called when the provider has answered the call (its response headers are in; for a model run in
   * process, once it is loaded and generating), before any output: the end of the `connect` deadline.
   */
  onResponse?: () => void;
  /** `ModelAdapter.collect` only: called as output arrives (each chunk, or each read), for the first-token and idle deadlines. */
  onOutput?: () => void;
  /** Set by the router for each call while tracing is on. */
  trace?: CallTrace;
}

export function textOf(content: ChatMessage["content"]): string {
  if (content === null) return "";
  if (typeof content === "string") return content;
  return content.map((part) => (part.type === "text" ? part.text : "")).join("");
}
