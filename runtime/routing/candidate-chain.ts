import { LfError } from "../core/index.js";
import type { RoutableModel } from "./routable-model.js";

/**
 * The order a request tries models in: `first` (a model, or a router's ordered members), then each
 * list of fallback names in turn (the model's own `fallbacks`, then the project-wide chain). A model
 * appears once, where it first appears.
 */
export function candidateChain(
  first: readonly RoutableModel[],
  fallbackNames: readonly (readonly string[])[],
  models: ReadonlyMap<string, RoutableModel>,
): RoutableModel[] {
  const seen = new Set<string>();
  const chain: RoutableModel[] = [];
  const add = (model: RoutableModel) => {
    if (seen.has(model.name)) return;
    seen.add(model.name);
    chain.push(model);
  };
  first.forEach(add);
  for (const names of fallbackNames) {
    for (const name of names) {
      const model = models.get(name);
      if (model === undefined) throw new LfError("model_not_found", `The fallback "${name}" is not a model.`);
      add(model);
    }
  }
  return chain;
}
