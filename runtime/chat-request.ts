import type { ChatMessage, ModelParameters, ResponseFormat, StreamPart, ToolChoice, ToolDefinition, Usage } from "./core/index.js";
import type { AttemptTracer, RouteAttempt } from "./routing/index.js";

/** One chat request as the CLI and the API hand it to the runtime. */
export interface ChatRequest {
  /** A named model or router of the project; the project's default when omitted. */
  model?: string;
  /** The conversation; a system message here follows the model's own prompts. */
  messages: ChatMessage[];
  /** Override the model's `model_api_parameters`. */
  parameters?: ModelParameters;
  /** Fill `{{name}}` in the model's prompts. */
  variables?: Record<string, string>;
  /** The client's own tools: their calls are returned to the client, never run by `lf`. */
  tools?: ToolDefinition[];
  toolChoice?: ToolChoice;
  responseFormat?: ResponseFormat;
  /** Per-request routing limits. */
  maxCost?: number;
  maxLatencyMs?: number;
  /**
   * `false`: the caller wants the whole answer, so a model that breaks midway is still replaced by the
   * next one (nothing has reached the client). Default: a stream, which falls back only before output.
   */
  stream?: boolean;
  /** Recorded with the request's usage. */
  sessionId?: string;
  /** The server's request id, recorded with the request's usage. */
  requestId?: string;
  /** The API key's name, recorded with the request's usage. */
  keyName?: string;
  /** Hears of the request's ledger row once it is written: what it cost, in dollars and tokens. */
  onRecord?: (record: { costUsd: number | undefined; inputTokens: number; outputTokens: number }) => void;
  /**
   * Past the response cache: `refresh` (`cache: false`, `Cache-Control: no-cache`) asks a model and
   * keeps its answer; `off` (`Cache-Control: no-store`) keeps nothing either.
   */
  cache?: "refresh" | "off";
  signal?: AbortSignal;
  /** The request's span, while tracing is on: each call to a model is traced under it. */
  trace?: AttemptTracer;
}

/** A request under way: read `parts` once; the other fields fill in as it runs. */
export interface ChatRun extends AsyncIterable<StreamPart> {
  /** Every part at once, read instead of iterating (a whole answer comes this way without a part-by-part stream). */
  collect(): Promise<StreamPart[]>;
  /** The model the request named (or the default). */
  readonly requestedModel: string;
  /** The model that is answering, once the first part is on its way. */
  readonly servedBy: string | undefined;
  /** Its provider. */
  readonly provider: string | undefined;
  readonly attempts: readonly RouteAttempt[];
  readonly usage: Usage | undefined;
  /**
   * Milliseconds from the runtime taking the request to the answering model's first output (text or a
   * tool call), whole answers included; undefined until then. The ledger, `/metrics` and the log report
   * this one figure.
   */
  readonly ttftMs: number | undefined;
  /** MCP servers a model of this request is bound to that could not be used (it answered without their tools). */
  readonly toolsMissing: readonly string[];
  /** Milliseconds spent awaiting provider streams so far, every attempt included. */
  readonly upstreamMs: number;
  /** How the response cache took it, when the model caches: answered from it, or not (`x-lf-cache`). */
  readonly cache?: "hit" | "miss" | "bypass";
}
