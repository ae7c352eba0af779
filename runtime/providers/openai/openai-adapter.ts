import { randomUUID } from "node:crypto";
import type { ModelCallOptions } from "../../core/chat.js";
import { systemClock, type Clock } from "../../core/clock.js";
import { ProviderError, type LfError } from "../../core/errors.js";
import type { EmbedOptions, Embeddings } from "../../core/embedding.js";
import type { ConnectivityResult, ModelAdapter, RequestPreview } from "../../core/model-adapter.js";
import type { StreamPart } from "../../core/stream-part.js";
import { resolveApiKey, type ResolvedApiKey } from "../api-key-sources.js";
import type { ProviderContext } from "../shared/provider-context.js";
import { abortedError } from "../shared/provider-failure.js";
import { runStream } from "../shared/run-stream.js";
import { hostOf, joinUrl, safeUrl } from "../shared/safe-url.js";
import { fetchTransport } from "../shared/fetch-transport.js";
import { maskHeaders } from "../shared/secrets.js";
import { undiciTransport } from "../shared/undici-transport.js";
import type { UpstreamResponse, UpstreamTransport } from "../shared/upstream-transport.js";
import { buildOpenAIRequest } from "./build-openai-request.js";
import { OPENAI_DEFAULT_BASE_URLS, type OpenAICompatibleProvider } from "./descriptor.js";
import { mapOpenAIError } from "./map-openai-error.js";
import { OpenAIStatusError } from "./openai-wire-errors.js";
import { readOpenAIEmbeddings } from "./read-openai-embeddings.js";
import { collectOpenAIStream, readOpenAIStream } from "./read-openai-stream.js";

export interface OpenAIAdapterOptions {
  modelId: string;
  /** The configured provider; it picks the default base URL and names the server in messages. Default `openai`. */
  provider?: OpenAICompatibleProvider;
  /** Any OpenAI-compatible API root, usually ending in `/v1`. */
  baseUrl?: string;
  apiKey?: string;
  /** Where `OPENAI_API_KEY` is read when `apiKey` is unset (provider `openai` only). */
  env?: Readonly<Record<string, string | undefined>>;
  headers?: Record<string, string>;
  /** Added to every request body (server-specific fields). */
  extraBody?: Record<string, unknown>;
  /** Calls go through this `fetch` when set; by default through undici pools (no retries, no timeouts: routing owns both). */
  fetch?: typeof fetch;
  clock?: Clock;
  /** Ids for tool calls a server sends without one. */
  generateId?: () => string;
}

/** Chat Completions against OpenAI or any compatible server, over undici with a streaming SSE parser. */
export class OpenAIAdapter implements ModelAdapter {
  readonly provider: OpenAICompatibleProvider;
  readonly modelId: string;
  readonly baseUrl: string;
  private readonly key: ResolvedApiKey;
  private readonly headers: Record<string, string>;
  private readonly extraBody: Record<string, unknown> | undefined;
  private readonly official: boolean;
  private readonly context: ProviderContext;
  private readonly transport: UpstreamTransport;
  private readonly clock: Clock;
  private readonly generateId: () => string;
  private readonly chatUrl: string;
  /** The chat endpoint as shown in messages (credentials masked), computed once. */
  private readonly shownChatUrl: string;
  /** Every call's headers, lower-case: the key (when one resolves) and the configured headers, which win. */
  private readonly sentHeaders: Readonly<Record<string, string>>;
  private readonly toError: (error: unknown) => LfError;

  constructor(options: OpenAIAdapterOptions) {
    this.provider = options.provider ?? "openai";
    this.modelId = options.modelId;
    this.baseUrl = (options.baseUrl ?? OPENAI_DEFAULT_BASE_URLS[this.provider]).replace(/\/+$/, "");
    this.official = hostOf(this.baseUrl) === "api.openai.com";
    this.key = resolveApiKey(this.provider, this.baseUrl, options.apiKey, options.env ?? {});
    this.headers = options.headers ?? {};
    this.extraBody = options.extraBody;
    this.clock = options.clock ?? systemClock;
    this.generateId = options.generateId ?? (() => `call_${randomUUID()}`);
    this.chatUrl = joinUrl(this.baseUrl, "chat/completions");
    this.shownChatUrl = safeUrl(this.chatUrl);
    this.context = {
      provider: this.provider,
      label: labelOf(this.provider, this.official),
      modelId: this.modelId,
      keyAdvice: this.key.advice,
      secrets: [this.key.key, ...Object.values(this.headers)].filter((value): value is string => value !== undefined),
      unreachableAdvice: unreachableAdviceOf(this.provider, this.official),
    };
    this.transport = options.fetch === undefined ? undiciTransport : fetchTransport(options.fetch);
    const headers: Record<string, string> = { accept: "application/json", "content-type": "application/json" };
    if (this.key.key !== undefined) headers.authorization = `Bearer ${this.key.key}`;
    for (const [name, value] of Object.entries(this.headers)) headers[name.toLowerCase()] = value;
    this.sentHeaders = headers;
    const url = this.shownChatUrl;
    this.toError = (error) => mapOpenAIError(error, this.context, url);
  }

  stream(options: ModelCallOptions): AsyncIterable<StreamPart> {
    return runStream({ signal: options.signal, toError: this.toError, cancelsItself: true, open: () => this.open(options) });
  }

  /** The caller's own signal goes to undici: a body left early is destroyed, which closes the connection. */
  private open(options: ModelCallOptions): AsyncIterable<StreamPart> {
    return readOpenAIStream(() => this.call(options, options.signal), this.generateId);
  }

  /** The stream read whole; every failure is thrown, mapped. */
  async collect(options: ModelCallOptions): Promise<StreamPart[]> {
    const signal = options.signal;
    try {
      if (signal?.aborted) throw abortedError(signal.reason);
      return await collectOpenAIStream(await this.call(options, signal), this.generateId, options.onOutput);
    } catch (error) {
      throw signal?.aborted ? abortedError(error) : this.toError(error);
    }
  }

  /** `POST {base_url}/embeddings`, every input in one request, vectors as floats. */
  async embed(options: EmbedOptions): Promise<Embeddings> {
    const url = joinUrl(this.baseUrl, "embeddings");
    const { signal } = options;
    try {
      if (signal?.aborted) throw abortedError(signal.reason);
      this.assertKey();
      const body = { model: this.modelId, input: options.inputs, encoding_format: "float", ...(options.dimensions === undefined ? {} : { dimensions: options.dimensions }), ...this.extraBody };
      const headers = options.traceparent === undefined ? this.sentHeaders : { ...this.sentHeaders, traceparent: options.traceparent };
      const response = await this.transport.request({ method: "POST", url, headers, body: JSON.stringify(body), signal });
      const text = await response.text();
      if (response.status < 200 || response.status >= 300) throw new OpenAIStatusError(response.status, response.headers(), text, response.statusText);
      options.onResponse?.();
      return readOpenAIEmbeddings(text, options.inputs.length);
    } catch (error) {
      throw signal?.aborted ? abortedError(error) : mapOpenAIError(error, this.context, safeUrl(url));
    }
  }

  /** Sends the chat request; an error status is thrown with its body read. */
  private async call(options: ModelCallOptions, signal: AbortSignal | undefined): Promise<UpstreamResponse> {
    this.assertKey();
    const headers = options.trace === undefined ? this.sentHeaders : { ...this.sentHeaders, traceparent: options.trace.traceparent };
    const response = await this.transport.request({ method: "POST", url: this.chatUrl, headers, body: JSON.stringify(this.body(options)), signal });
    if (response.status >= 200 && response.status < 300) {
      options.onResponse?.();
      return response;
    }
    throw new OpenAIStatusError(response.status, response.headers(), await response.text().catch(() => ""), response.statusText);
  }

  private body(options: ModelCallOptions) {
    return buildOpenAIRequest(options, {
      modelId: this.modelId,
      extraBody: this.extraBody,
      maxTokensField: this.official ? "max_completion_tokens" : "max_tokens",
    });
  }

  preview(options: ModelCallOptions): RequestPreview {
    return { method: "POST", url: this.shownChatUrl, headers: maskHeaders(this.sentHeaders), body: this.body(options) };
  }

  async check(signal?: AbortSignal): Promise<ConnectivityResult> {
    const started = this.clock.now();
    const modelsUrl = joinUrl(this.baseUrl, "models");
    const url = safeUrl(modelsUrl);
    try {
      this.assertKey();
      const { "content-type": _json, ...headers } = this.sentHeaders;
      const response = await this.transport.request({ method: "GET", url: modelsUrl, headers, signal });
      const text = await response.text();
      if (response.status < 200 || response.status >= 300) throw new OpenAIStatusError(response.status, response.headers(), text, response.statusText);
      const page = JSON.parse(text) as { data?: Array<{ id: string }> };
      const ids = (page.data ?? []).map((model) => model.id);
      const listed = ids.includes(this.modelId);
      return {
        ok: true,
        latencyMs: this.clock.now() - started,
        detail: `${ids.length} models at ${url}; "${this.modelId}" is ${listed ? "listed" : "not listed (the server may still route it)"}`,
      };
    } catch (error) {
      return { ok: false, latencyMs: this.clock.now() - started, detail: mapOpenAIError(error, this.context, url).message };
    }
  }

  /** OpenAI itself refuses every call without a key, so there is no point in sending one. */
  private assertKey(): void {
    if (!this.key.missing) return;
    throw new ProviderError(`OpenAI needs an API key for model "${this.modelId}": ${this.key.advice}`, {
      provider: this.provider,
      modelId: this.modelId,
      code: "config_invalid",
      url: this.baseUrl,
      isRetryable: false,
    });
  }
}

function labelOf(provider: OpenAICompatibleProvider, official: boolean): string {
  if (provider === "universal") return "the LlamaFarm universal runtime";
  if (provider === "lemonade") return "the Lemonade runtime";
  return official ? "OpenAI" : "the OpenAI-compatible server";
}

function unreachableAdviceOf(provider: OpenAICompatibleProvider, official: boolean): string {
  if (provider === "universal") {
    return "is LlamaFarm's universal runtime running (it listens on port 11540)? Start it from a LlamaFarm checkout with `nx start universal-runtime`, or with LlamaFarm's own CLI, `lf services start universal-runtime`; or set base_url to where it runs";
  }
  if (provider === "lemonade") {
    return "is Lemonade Server running? Start it with `lemonade-server serve --port 11534` (in a LlamaFarm checkout: `nx start lemonade`), or set base_url (or lemonade.port) to where it listens";
  }
  return official ? "check the network connection and any proxy settings" : "is the server running, and is base_url right?";
}

export function createOpenAIAdapter(options: OpenAIAdapterOptions): OpenAIAdapter {
  return new OpenAIAdapter(options);
}
