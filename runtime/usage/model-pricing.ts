import { PROVIDERS } from "../providers/registry.js";
import type { Usage } from "../core/index.js";
import type { ResolvedModel } from "../config/index.js";
import { BUILT_IN_PRICES } from "./pricing-table.js";

export interface ModelPrice {
  inputPer1k: number;
  outputPer1k: number;
  /** config: the model's `pricing`; built-in: the table of known hosted models; local: runs on our own hardware. */
  source: "config" | "built-in" | "local";
}


type PricedModel = Pick<ResolvedModel, "provider" | "modelId" | "pricing">;

/** Answers per model object (resolved models are frozen): a request asks several times. */
const PRICES = new WeakMap<PricedModel, ModelPrice | null>();

/** What a model costs: its own `pricing`, else free when local, else the built-in table; undefined when unknown. */
export function modelPrice(model: PricedModel): ModelPrice | undefined {
  let price = PRICES.get(model);
  if (price === undefined) {
    price = priceOf(model) ?? null;
    if (Object.isFrozen(model)) PRICES.set(model, price);
  }
  return price ?? undefined;
}

function priceOf(model: PricedModel): ModelPrice | undefined {
  if (model.pricing !== undefined) return { ...model.pricing, source: "config" };
  if (model.provider === undefined) return undefined;
  if (PROVIDERS.get(model.provider)?.local === true) return { inputPer1k: 0, outputPer1k: 0, source: "local" };
  const table = model.provider === "openai" || model.provider === "anthropic" ? BUILT_IN_PRICES[model.provider] : undefined;
  const price = table === undefined ? undefined : lookup(table, model.modelId);
  return price === undefined ? undefined : { inputPer1k: price.input_per_1k, outputPer1k: price.output_per_1k, source: "built-in" };
}

/** Dollars for the given tokens. */
export function costOf(price: Pick<ModelPrice, "inputPer1k" | "outputPer1k">, usage: Pick<Usage, "inputTokens" | "outputTokens">): number {
  return (usage.inputTokens / 1000) * price.inputPer1k + (usage.outputTokens / 1000) * price.outputPer1k;
}

function lookup<T>(table: Readonly<Record<string, T>>, modelId: string): T | undefined {
  const id = modelId.toLowerCase();
  if (Object.hasOwn(table, id)) return table[id];
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    if (id.startsWith(`${key}-`) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : table[best];
}
