import type { IncomingMessage, ServerResponse } from "node:http";
import type { Usage } from "../core/index.js";
import type { AttemptTracer } from "../routing/index.js";

/** What a request span knows when the project and model are resolved. */
export interface RequestSpanStart {
  /** `chat` for every chat dialect, `embeddings` for `/v1/embeddings`. */
  operation: "chat" | "embeddings";
  /** The model or router as the request named it. */
  model: string;
  /** `namespace/name`. */
  project: string;
  /** The client dialect: `openai-chat`, `anthropic-messages`, `openai-responses`, `openai-embeddings`. */
  wire: string;
  requestId: string;
  stream: boolean;
  temperature?: number | undefined;
  maxTokens?: number | undefined;
}

/** How the request went, as far as the runtime knows; the HTTP status is read when the response closes. */
export interface RequestSpanOutcome {
  /** The model that answered. */
  responseModel?: string | undefined;
  provider?: string | undefined;
  usage?: Usage | undefined;
  finishReason?: string | undefined;
  /** How the response cache took it, when the model caches. */
  cache?: string | undefined;
  /** Calls made, skipped models left out. */
  calls?: number;
  error?: unknown;
}

/** One request's span: each call to a model opens a child (`AttemptTracer`). It ends when the response closes. */
export interface RequestSpan extends AttemptTracer {
  settle(outcome: RequestSpanOutcome): void;
}

/** Tracing, when it is on. The pipeline holds `Tracing | undefined`; undefined costs one check per request. */
export interface Tracing {
  /** Opens the request's span, a child of the client's `traceparent` when it sent one. */
  request(req: IncomingMessage, res: ServerResponse, start: RequestSpanStart): RequestSpan;
  /** Exports what is queued now. */
  flush(): Promise<void>;
  /** Exports what is still queued, then stops. */
  shutdown(): Promise<void>;
}
