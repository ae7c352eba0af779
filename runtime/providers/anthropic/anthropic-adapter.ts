import Anthropic from "@anthropic-ai/sdk";
import type { ModelCallOptions } from "../../core/chat.js";
import { systemClock, type Clock } from "../../core/clock.js";
import { ProviderError } from "../../core/errors.js";
import type { ConnectivityResult, ModelAdapter, RequestPreview } from "../../core/model-adapter.js";
import type { StreamPart } from "../../core/stream-part.js";
import { resolveApiKey, type ResolvedApiKey } from "../api-key-sources.js";
import type { ProviderContext } from "../shared/provider-context.js";
import { runStream } from "../shared/run-stream.js";
import { hostOf, joinUrl, safeUrl } from "../shared/safe-url.js";
import { maskHeaders } from "../shared/secrets.js";
import { buildAnthropicRequest } from "./build-anthropic-request.js";
import { mapAnthropicError } from "./map-anthropic-error.js";
import { parseAnthropicStream } from "./parse-anthropic-stream.js";
import { ANTHROPIC_DEFAULT_BASE_URL } from "./descriptor.js";

/** The API version the SDK sends; the preview shows the same. */
const ANTHROPIC_VERSION = "2023-06-01";

export interface AnthropicAdapterOptions {
  modelId: string;
  /** Default https://api.anthropic.com; a trailing `/v1` is accepted (the SDK adds it). */
  baseUrl?: string;
  apiKey?: string;
  /** Where `ANTHROPIC_API_KEY` is read when `apiKey` is unset. */
  env?: Readonly<Record<string, string | undefined>>;
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  /** The SDK's own retries; 0 because the routing layer retries with its own policy. */
  maxRetries?: number;
  timeoutMs?: number;
  clock?: Clock;
}

/** The Messages API through `@anthropic-ai/sdk`. */
export class AnthropicAdapter implements ModelAdapter {
  readonly provider = "anthropic";
  readonly modelId: string;
  readonly baseUrl: string;
  private readonly key: ResolvedApiKey;
  private readonly headers: Record<string, string>;
  private readonly context: ProviderContext;
  private readonly client: Anthropic;
  private readonly clock: Clock;

  constructor(options: AnthropicAdapterOptions) {
    this.modelId = options.modelId;
    this.baseUrl = (options.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL).replace(/\/+$/, "").replace(/\/v1$/, "");
    this.key = resolveApiKey("anthropic", this.baseUrl, options.apiKey, options.env ?? {});
    this.headers = options.headers ?? {};
    this.clock = options.clock ?? systemClock;
    const official = hostOf(this.baseUrl) === "api.anthropic.com";
    this.context = {
      provider: this.provider,
      label: official ? "Anthropic" : "the Anthropic-compatible server",
      modelId: this.modelId,
      keyAdvice: this.key.advice,
      secrets: [this.key.key, ...Object.values(this.headers)].filter((value): value is string => value !== undefined),
      unreachableAdvice: official ? "check the network connection and any proxy settings" : "is the server running, and is base_url right?",
      notFoundAdvice: "check the model id (for example claude-sonnet-4-5) and that base_url points at the API root",
    };
    this.client = new Anthropic({
      // A placeholder stops the SDK from looking for credentials elsewhere; its header is removed below.
      apiKey: this.key.key ?? "none",
      authToken: null,
      baseURL: this.baseUrl,
      maxRetries: options.maxRetries ?? 0,
      ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs }),
      logLevel: "off",
      fetch: options.fetch ?? globalThis.fetch,
      defaultHeaders: { ...(this.key.key === undefined ? { "x-api-key": null } : {}), ...this.headers },
    });
  }

  stream(options: ModelCallOptions): AsyncIterable<StreamPart> {
    const url = safeUrl(joinUrl(this.baseUrl, "v1/messages"));
    return runStream({
      signal: options.signal,
      toError: (error) => mapAnthropicError(error, this.context, url),
      open: (signal) => this.open(options, signal),
    });
  }

  private async *open(options: ModelCallOptions, signal: AbortSignal): AsyncGenerator<StreamPart> {
    this.assertKey();
    const body = buildAnthropicRequest(options, this.modelId);
    // The routing layer owns every deadline; the SDK's own would cut a long answer at its ten minutes.
    const events = await this.client.messages.create(body, {
      signal,
      timeout: NO_SDK_TIMEOUT_MS,
      ...(options.trace === undefined ? {} : { headers: { traceparent: options.trace.traceparent } }),
    });
    options.onResponse?.();
    yield* parseAnthropicStream(events);
  }

  preview(options: ModelCallOptions): RequestPreview {
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json", "anthropic-version": ANTHROPIC_VERSION };
    if (this.key.key !== undefined) headers["x-api-key"] = this.key.key;
    for (const [name, value] of Object.entries(this.headers)) headers[name.toLowerCase()] = value;
    return { method: "POST", url: safeUrl(joinUrl(this.baseUrl, "v1/messages")), headers: maskHeaders(headers), body: buildAnthropicRequest(options, this.modelId) };
  }

  async check(signal?: AbortSignal): Promise<ConnectivityResult> {
    const started = this.clock.now();
    const url = safeUrl(joinUrl(this.baseUrl, "v1/models"));
    try {
      this.assertKey();
      const page = await this.client.models.list({ limit: 1000 }, signal === undefined ? {} : { signal });
      const ids = page.data.map((model) => model.id);
      const listed = ids.includes(this.modelId);
      return {
        ok: true,
        latencyMs: this.clock.now() - started,
        detail: `${ids.length} models at ${url}; "${this.modelId}" is ${listed ? "listed" : "not listed (an alias may still work)"}`,
      };
    } catch (error) {
      return { ok: false, latencyMs: this.clock.now() - started, detail: mapAnthropicError(error, this.context, url).message };
    }
  }

  /** Anthropic refuses every call without a key, so there is no point in sending one. */
  private assertKey(): void {
    if (!this.key.missing) return;
    throw new ProviderError(`Anthropic needs an API key for model "${this.modelId}": ${this.key.advice}`, {
      provider: this.provider,
      modelId: this.modelId,
      code: "config_invalid",
      url: this.baseUrl,
      isRetryable: false,
    });
  }
}

/** The longest timer Node keeps (about 24 days): the SDK's own limit out of the way of the routing layer's. */
const NO_SDK_TIMEOUT_MS = 2 ** 31 - 1;

export function createAnthropicAdapter(options: AnthropicAdapterOptions): AnthropicAdapter {
  return new AnthropicAdapter(options);
}
