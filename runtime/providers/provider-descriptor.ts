import type { ModelAdapter } from "../core/model-adapter.js";
import type { ProviderKind } from "../core/provider-parameters.js";
import type { AdapterDependencies, AdapterSettings, Env } from "./adapter-settings.js";
import type { ApiKeySource } from "./api-key-sources.js";

/**
 * One provider, as data: everything dispatch, `lf validate`, pricing, `lf status` and `lf providers`
 * need to know about it. Each provider folder exports its own; `registry.ts` lists them.
 */
export interface ProviderDescriptor {
  /** The `provider:` value in the project file. */
  readonly name: string;
  /** Whose parameter table it takes (`core/provider-parameters.ts`). */
  readonly parameters: ProviderKind;
  /** Where its key comes from. */
  readonly key: ApiKeySource;
  /** Runs on the user's own machine: costs nothing. */
  readonly local: boolean;
  /** Its adapter can read a whole answer at once (`ModelAdapter.collect`). */
  readonly collectsWhole: boolean;
  /** Where calls go when a model sets no `base_url`; undefined for a model run in process. */
  defaultBaseUrl(env: Env): string | undefined;
  /** The adapter, with the provider's module (and its SDK) imported only now. */
  load(settings: AdapterSettings, env: Env, dependencies: AdapterDependencies): Promise<ModelAdapter>;
}
