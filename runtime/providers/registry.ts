import { LfError } from "../core/errors.js";
import { anthropicProvider } from "./anthropic/descriptor.js";
import { llamaCppProvider } from "./llamacpp/descriptor.js";
import { ollamaProvider } from "./ollama/descriptor.js";
import { openAIProviders } from "./openai/descriptor.js";
import type { ProviderDescriptor } from "./provider-descriptor.js";

/** Every provider lf can call. A new one is a folder with its descriptor, and one entry here. */
const DESCRIPTORS: readonly ProviderDescriptor[] = [...openAIProviders, ollamaProvider, anthropicProvider, llamaCppProvider];

export const PROVIDERS: ReadonlyMap<string, ProviderDescriptor> = new Map(DESCRIPTORS.map((d) => [d.name, d]));

/** A provider's descriptor, or a `config_invalid` error naming the ones that exist. */
export function providerOf(name: string): ProviderDescriptor {
  const descriptor = PROVIDERS.get(name);
  if (descriptor === undefined) throw new LfError("config_invalid", `unknown provider "${name}"; providers: ${[...PROVIDERS.keys()].join(", ")}`);
  return descriptor;
}
