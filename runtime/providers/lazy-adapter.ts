import type { ModelCallOptions } from "../core/chat.js";
import type { EmbedOptions, Embeddings } from "../core/embedding.js";
import { LfError } from "../core/errors.js";
import type { ConnectivityResult, ModelAdapter, RequestPreview } from "../core/model-adapter.js";
import type { StreamPart } from "../core/stream-part.js";
import type { AdapterDependencies, AdapterSettings, Env } from "./adapter-settings.js";
import { providerOf } from "./registry.js";

/**
 * A model's adapter whose provider module, and with it the provider's SDK, is imported on first use:
 * a project that only talks to OpenAI-compatible servers never loads the Anthropic or Ollama
 * packages, and `lf` starts without loading any of them. The first call waits for the import; every
 * later call goes straight to the loaded adapter.
 */
export class LazyAdapter implements ModelAdapter {
  readonly provider: string;
  readonly modelId: string;
  /** Present when the provider's adapter has it (known before its module is loaded). */
  readonly collect?: (options: ModelCallOptions) => Promise<StreamPart[]>;
  private loaded: ModelAdapter | undefined;
  private loading: Promise<ModelAdapter> | undefined;

  constructor(
    private readonly settings: AdapterSettings,
    private readonly env: Env = {},
    private readonly dependencies: AdapterDependencies = {},
  ) {
    this.provider = settings.provider;
    this.modelId = settings.modelId;
    if (providerOf(settings.provider).collectsWhole) this.collect = (options) => this.collectOnceLoaded(options);
  }

  /** Imports the provider and builds its adapter (once). */
  load(): Promise<ModelAdapter> {
    this.loading ??= providerOf(this.settings.provider).load(this.settings, this.env, this.dependencies).then((adapter) => {
      this.loaded = adapter;
      return adapter;
    });
    return this.loading;
  }

  stream(options: ModelCallOptions): AsyncIterable<StreamPart> {
    return this.loaded !== undefined ? this.loaded.stream(options) : this.streamOnceLoaded(options);
  }

  async embed(options: EmbedOptions): Promise<Embeddings> {
    const adapter = this.loaded ?? (await this.load());
    if (adapter.embed === undefined) throw new LfError("invalid_request", `The ${this.provider} provider has no embeddings API (model "${this.modelId}").`);
    return adapter.embed(options);
  }

  /** Synchronous, so only once loaded: `Runtime.preview` awaits `load()` first. */
  preview(options: ModelCallOptions): RequestPreview {
    if (this.loaded === undefined) throw new LfError("internal", `The ${this.provider} adapter of "${this.modelId}" is not loaded yet: await load() before preview().`);
    if (this.loaded.preview === undefined) throw new LfError("invalid_request", `The ${this.provider} provider has no request preview.`);
    return this.loaded.preview(options);
  }

  async check(signal?: AbortSignal): Promise<ConnectivityResult> {
    const adapter = this.loaded ?? (await this.load());
    if (adapter.check === undefined) return { ok: true, latencyMs: 0, detail: "this provider has no connectivity check" };
    return adapter.check(signal);
  }

  async close(): Promise<void> {
    await this.loading?.catch(() => undefined);
    await this.loaded?.close?.();
  }

  private async collectOnceLoaded(options: ModelCallOptions): Promise<StreamPart[]> {
    const adapter = this.loaded ?? (await this.load());
    if (adapter.collect === undefined) throw new LfError("internal", `The ${this.provider} adapter of "${this.modelId}" cannot read an answer whole.`);
    return adapter.collect(options);
  }

  private async *streamOnceLoaded(options: ModelCallOptions): AsyncGenerator<StreamPart> {
    const adapter = await this.load();
    yield* adapter.stream(options);
  }
}
