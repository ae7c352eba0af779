import type { ModelCallOptions } from "../core/chat.js";
import { LfError } from "../core/errors.js";
import type { ConnectivityResult, ModelAdapter, RequestPreview } from "../core/model-adapter.js";
import type { StreamPart } from "../core/stream-part.js";
import type { AdapterDependencies, AdapterSettings, Env } from "./create-adapter.js";

/**
 * A model's adapter whose provider module, and with it the provider's SDK, is imported on first use:
 * a project that only talks to OpenAI-compatible servers never loads the Anthropic or Ollama
 * packages, and `lf` starts without loading any of them. The first call waits for the import; every
 * later call goes straight to the loaded adapter.
 */
export class LazyAdapter implements ModelAdapter {
  readonly provider: string;
  readonly modelId: string;
  private loaded: ModelAdapter | undefined;
  private loading: Promise<ModelAdapter> | undefined;

  constructor(
    private readonly settings: AdapterSettings,
    private readonly env: Env = {},
    private readonly dependencies: AdapterDependencies = {},
  ) {
    this.provider = settings.provider;
    this.modelId = settings.modelId;
  }

  /** Imports the provider and builds its adapter (once). */
  load(): Promise<ModelAdapter> {
    this.loading ??= import("./create-adapter.js").then(({ createAdapter }) => {
      this.loaded = createAdapter(this.settings, this.env, this.dependencies);
      return this.loaded;
    });
    return this.loading;
  }

  stream(options: ModelCallOptions): AsyncIterable<StreamPart> {
    return this.loaded !== undefined ? this.loaded.stream(options) : this.streamOnceLoaded(options);
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

  private async *streamOnceLoaded(options: ModelCallOptions): AsyncGenerator<StreamPart> {
    const adapter = await this.load();
    yield* adapter.stream(options);
  }
}
