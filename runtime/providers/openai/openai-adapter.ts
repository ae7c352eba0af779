import { randomUUID } from "node:crypto";
import OpenAI from "openai";
import type { ModelCallOptions } from "../../core/chat.js";
import { systemClock, type Clock } from "../../core/clock.js";
import { ProviderError } from "../../core/errors.js";
import type { ConnectivityResult, ModelAdapter, RequestPreview } from "../../core/model-adapter.js";
import type { StreamPart } from "../../core/stream-part.js";
import { resolveApiKey, type ResolvedApiKey } from "../api-key-sources.js";
import type { ProviderContext } from "../shared/provider-context.js";
import { runStream } from "../shared/run-stream.js";
import { hostOf, joinUrl, safeUrl } from "../shared/safe-url.js";
import { nodeHttpFetch } from "../shared/node-http-fetch.js";
import { maskHeaders } from "../shared/secrets.js";
import { withOpenAIErrorBodies } from "../shared/upstream-message.js";
import { buildOpenAIRequest } from "./build-openai-request.js";
import { mapOpenAIError } from "./map-openai-error.js";
import { parseOpenAIStream } from "./parse-openai-stream.js";

/** The LlamaFarm runtimes that speak the OpenAI API, besides OpenAI itself. */
export type OpenAICompatibleProvider = "openai" | "universal" | "lemonade";

export const OPENAI_DEFAULT_BASE_URLS: Readonly<Record<OpenAICompatibleProvider, string>> = {
  openai: "https://api.openai.com/v1",
  universal: "http://localhost:11540/v1",
  lemonade: "http://localhost:8000/api/v1",
};

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
  /** Default: `nodeHttpFetch`, a lean fetch over `node:http` (the global one costs about 0.5 ms of CPU per call). */
  fetch?: typeof fetch;
  /** The SDK's own retries; 0 because the routing layer retries with its own policy. */
  maxRetries?: number;
  /** The SDK's request timeout. Default: the SDK's (10 minutes); the routing layer sets tighter ones. */
  timeoutMs?: number;
  clock?: Clock;
  /** Ids for tool calls a server sends without one. */
  generateId?: () => string;
}

/** Chat Completions through the `openai` package, against OpenAI or any compatible server. */
export class OpenAIAdapter implements ModelAdapter {
  readonly provider: OpenAICompatibleProvider;
  readonly modelId: string;
  readonly baseUrl: string;
  private readonly key: ResolvedApiKey;
  private readonly headers: Record<string, string>;
  private readonly extraBody: Record<string, unknown> | undefined;
  private readonly official: boolean;
  private readonly context: ProviderContext;
  private readonly client: OpenAI;
  private readonly clock: Clock;
  private readonly generateId: () => string;
  /** The chat endpoint as shown in messages (credentials masked), computed once. */
  private readonly shownChatUrl: string;

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
    this.shownChatUrl = safeUrl(this.chatUrl);
    this.context = {
      provider: this.provider,
      label: labelOf(this.provider, this.official),
      modelId: this.modelId,
      keyAdvice: this.key.advice,
      secrets: [this.key.key, ...Object.values(this.headers)].filter((value): value is string => value !== undefined),
      unreachableAdvice: unreachableAdviceOf(this.provider, this.official),
    };
    this.client = new OpenAI({
      // The SDK insists on a key; without one, a placeholder is set and its header removed below.
      apiKey: this.key.key ?? "none",
      // Explicit nulls, so the SDK never picks these up from the environment.
      organization: null,
      project: null,
      adminAPIKey: null,
      webhookSecret: null,
      baseURL: this.baseUrl,
      maxRetries: options.maxRetries ?? 0,
      ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
      logLevel: "off",
      fetch: withOpenAIErrorBodies(options.fetch ?? nodeHttpFetch()),
      defaultHeaders: { ...(this.key.key === undefined ? { Authorization: null } : {}), ...this.headers },
    });
  }

  private get chatUrl(): string {
    return joinUrl(this.baseUrl, "chat/completions");
  }

  stream(options: ModelCallOptions): AsyncIterable<StreamPart> {
    const url = this.shownChatUrl;
    return runStream({
      signal: options.signal,
      toError: (error) => mapOpenAIError(error, this.context, url),
      open: (signal) => this.open(options, signal),
    });
  }

  private async *open(options: ModelCallOptions, signal: AbortSignal): AsyncGenerator<StreamPart> {
    this.assertKey();
    const body = this.body(options);
    const chunks = await this.client.chat.completions.create(body, { signal });
    yield* parseOpenAIStream(chunks, this.generateId);
  }

  private body(options: ModelCallOptions) {
    return buildOpenAIRequest(options, {
      modelId: this.modelId,
      extraBody: this.extraBody,
      maxTokensField: this.official ? "max_completion_tokens" : "max_tokens",
    });
  }

  preview(options: ModelCallOptions): RequestPreview {
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
    if (this.key.key !== undefined) headers.authorization = `Bearer ${this.key.key}`;
    for (const [name, value] of Object.entries(this.headers)) headers[name.toLowerCase()] = value;
    return { method: "POST", url: this.shownChatUrl, headers: maskHeaders(headers), body: this.body(options) };
  }

  async check(signal?: AbortSignal): Promise<ConnectivityResult> {
    const started = this.clock.now();
    const url = safeUrl(joinUrl(this.baseUrl, "models"));
    try {
      this.assertKey();
      const page = await this.client.models.list({ ...(signal === undefined ? {} : { signal }) });
      const ids = page.data.map((model) => model.id);
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
  if (provider === "universal" || provider === "lemonade") return `is the ${provider} runtime running, and is base_url right?`;
  return official ? "check the network connection and any proxy settings" : "is the server running, and is base_url right?";
}

export function createOpenAIAdapter(options: OpenAIAdapterOptions): OpenAIAdapter {
  return new OpenAIAdapter(options);
}
