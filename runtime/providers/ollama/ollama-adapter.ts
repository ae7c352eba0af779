import { randomUUID } from "node:crypto";
import { Ollama, type Message } from "ollama";
import type { ModelCallOptions } from "../../core/chat.js";
import { systemClock, type Clock } from "../../core/clock.js";
import type { EmbedOptions, Embeddings } from "../../core/embedding.js";
import { ProviderError } from "../../core/errors.js";
import type { ConnectivityResult, ModelAdapter, RequestPreview } from "../../core/model-adapter.js";
import type { StreamPart } from "../../core/stream-part.js";
import type { ProviderContext } from "../shared/provider-context.js";
import { runStream } from "../shared/run-stream.js";
import { joinUrl, safeUrl } from "../shared/safe-url.js";
import { maskHeaders } from "../shared/secrets.js";
import { buildOllamaRequest, type OllamaWireRequest } from "./build-ollama-request.js";
import { mapOllamaError } from "./map-ollama-error.js";
import { OllamaExchange } from "./ollama-exchange.js";
import { parseOllamaStream } from "./parse-ollama-stream.js";
import { resolveOllamaHost } from "./resolve-ollama-host.js";

export interface OllamaAdapterOptions {
  modelId: string;
  /** Default: `OLLAMA_HOST` from `env`, else http://localhost:11434. A trailing `/v1` is stripped. */
  baseUrl?: string;
  /** Sent as a bearer token, for an Ollama behind an authenticating proxy or ollama.com. */
  apiKey?: string;
  env?: Readonly<Record<string, string | undefined>>;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  clock?: Clock;
  /** Ids for tool calls that Ollama sends without one. */
  generateId?: () => string;
}

/** Ollama's native `/api/chat` through the `ollama` package. */
export class OllamaAdapter implements ModelAdapter {
  readonly provider = "ollama";
  readonly modelId: string;
  readonly host: string;
  private readonly headers: Record<string, string>;
  private readonly baseFetch: typeof fetch;
  private readonly clock: Clock;
  private readonly generateId: () => string;
  private readonly context: ProviderContext;

  constructor(options: OllamaAdapterOptions) {
    this.modelId = options.modelId;
    this.host = resolveOllamaHost(options.baseUrl, options.env ?? {});
    this.headers = { ...(options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : {}), ...options.headers };
    this.baseFetch = options.fetch ?? globalThis.fetch;
    this.clock = options.clock ?? systemClock;
    this.generateId = options.generateId ?? (() => `call_${randomUUID()}`);
    this.context = {
      provider: this.provider,
      label: "Ollama",
      modelId: this.modelId,
      keyAdvice: options.apiKey ? "check the model's api_key in llamafarm.yaml" : "set api_key on the model if this Ollama server needs one",
      secrets: [options.apiKey, ...Object.values(options.headers ?? {})].filter((value): value is string => value !== undefined),
      unreachableAdvice: `is \`ollama serve\` running? is the model pulled (\`ollama pull ${this.modelId}\`)?`,
      notFoundAdvice: `pull it with \`ollama pull ${this.modelId}\``,
    };
  }

  /** A client per call: the wrapped fetch carries this call's signal and records what it saw. */
  private client(exchange: OllamaExchange, traceparent?: string): Ollama {
    const headers = traceparent === undefined ? this.headers : { ...this.headers, traceparent };
    return new Ollama({ host: this.host, headers, fetch: exchange.fetch });
  }

  stream(options: ModelCallOptions): AsyncIterable<StreamPart> {
    const url = safeUrl(joinUrl(this.host, "api/chat"));
    let exchange: OllamaExchange | undefined;
    return runStream({
      signal: options.signal,
      toError: (error) => mapOllamaError(error, this.context, url, exchange),
      open: (signal) => {
        exchange = new OllamaExchange(this.baseFetch, signal);
        return this.open(options, exchange);
      },
    });
  }

  private async *open(options: ModelCallOptions, exchange: OllamaExchange): AsyncGenerator<StreamPart> {
    const body = buildOllamaRequest(options, this.modelId);
    const chunks = await this.client(exchange, options.trace?.traceparent).chat({ ...body, messages: body.messages.map(withImageBytes) });
    options.onResponse?.();
    yield* parseOllamaStream(chunks, this.generateId);
  }

  /** Ollama's `/api/embed`: every input in one call; it takes text only. */
  async embed(options: EmbedOptions): Promise<Embeddings> {
    const url = safeUrl(joinUrl(this.host, "api/embed"));
    const exchange = new OllamaExchange(this.baseFetch, options.signal ?? new AbortController().signal);
    try {
      const input = options.inputs.map((item) => {
        if (typeof item === "string") return item;
        throw new ProviderError("Ollama embeds text only; send input as strings", { provider: this.provider, modelId: this.modelId, code: "invalid_request", status: 400, url });
      });
      const response = await this.client(exchange, options.traceparent).embed({ model: this.modelId, input, ...(options.dimensions === undefined ? {} : { dimensions: options.dimensions }) });
      options.onResponse?.();
      if (!Array.isArray(response.embeddings) || response.embeddings.length !== input.length) throw new SyntaxError(`expected ${input.length} embeddings, got ${Array.isArray(response.embeddings) ? response.embeddings.length : "none"}`);
      const tokens = response.prompt_eval_count;
      return { vectors: response.embeddings, usage: typeof tokens === "number" ? { inputTokens: tokens, outputTokens: 0 } : undefined };
    } catch (error) {
      throw mapOllamaError(error, this.context, url, exchange);
    }
  }

  preview(options: ModelCallOptions): RequestPreview {
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
    for (const [name, value] of Object.entries(this.headers)) headers[name.toLowerCase()] = value;
    const body: OllamaWireRequest = buildOllamaRequest(options, this.modelId);
    return { method: "POST", url: safeUrl(joinUrl(this.host, "api/chat")), headers: maskHeaders(headers), body };
  }

  /** Reachable, and whether the model is pulled: a server without the model cannot answer for it. */
  async check(signal?: AbortSignal): Promise<ConnectivityResult> {
    const started = this.clock.now();
    const url = safeUrl(joinUrl(this.host, "api/tags"));
    const exchange = new OllamaExchange(this.baseFetch, signal ?? new AbortController().signal);
    try {
      const { models } = await this.client(exchange).list();
      const names = models.map((model) => model.name);
      const pulled = names.some((name) => sameModel(name, this.modelId));
      const latencyMs = this.clock.now() - started;
      if (pulled) return { ok: true, latencyMs, detail: `Ollama at ${safeUrl(this.host)}; "${this.modelId}" is pulled` };
      return { ok: false, latencyMs, detail: `Ollama at ${safeUrl(this.host)} is running, but "${this.modelId}" is not pulled: run \`ollama pull ${this.modelId}\`` };
    } catch (error) {
      return { ok: false, latencyMs: this.clock.now() - started, detail: mapOllamaError(error, this.context, url, exchange).message };
    }
  }
}

/** `llama3.2` is `llama3.2:latest`. */
function sameModel(listed: string, wanted: string): boolean {
  const tagged = (name: string) => (name.includes(":") ? name : `${name}:latest`);
  return tagged(listed) === tagged(wanted);
}

/**
 * The client reads a string image as a file path when one exists by that name, so images go to it as
 * bytes: it encodes those itself, to the same base64 the preview shows.
 */
function withImageBytes(message: OllamaWireRequest["messages"][number]): Message {
  const { images, ...rest } = message;
  return images === undefined ? rest : { ...rest, images: images.map((image) => Buffer.from(image, "base64")) };
}

export function createOllamaAdapter(options: OllamaAdapterOptions): OllamaAdapter {
  return new OllamaAdapter(options);
}
