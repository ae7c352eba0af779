import type { RoutableModel } from "./routable-model.js";

/**
 * The names of one model's counters in the state store. Limits are the project's own (`scope`); the
 * breaker and the latency averages describe the upstream the model calls (`upstream`), so an edit of
 * its provider, model id or URL starts them afresh while its limits keep counting.
 */
export interface ModelStateKeys {
  inFlight: string;
  rpm: string;
  tpm: string;
  interval: string;
  breaker: string;
  latency: string;
}

/**
 * `scope`: `namespace/project/model`, so that projects sharing one Redis never share a counter;
 * `upstream`: the scope and a fingerprint of what the model calls.
 */
export function modelStateKeys(scope: string, upstream = scope): ModelStateKeys {
  return {
    inFlight: `inflight:${scope}`,
    rpm: `rpm:${scope}`,
    tpm: `tpm:${scope}`,
    interval: `interval:${scope}`,
    breaker: `breaker:${upstream}`,
    latency: `latency:${upstream}`,
  };
}

const byName = new WeakMap<RoutableModel, ModelStateKeys>();

/** A model's keys: those the composition root gave it, else keys named after the model alone. */
export function stateKeysOf(model: RoutableModel): ModelStateKeys {
  if (model.stateKeys !== undefined) return model.stateKeys;
  let keys = byName.get(model);
  if (keys === undefined) {
    keys = modelStateKeys(model.name);
    byName.set(model, keys);
  }
  return keys;
}
