import type { ChatRequest, Runtime } from "../index.js";
import { admitKey, hasLimits, recordKeySpend, restoreKeySpend, type KeySpend } from "../keys/index.js";
import { checkModel, type ApiKey } from "./api-keys.js";

/** What a request carries of its key into the runtime: the name its ledger row records, and its spend. */
export type KeyFields = Pick<ChatRequest, "keyName" | "onRecord">;

/**
 * What a request's key allows, checked once its model is known: the model (403), then the key's own
 * budgets, tpm and rpm in the project's state store (429). Returns the fields the request takes into
 * the runtime: the key's name, and (for a key with limits) what records its spend once the ledger has
 * its row.
 */
export async function admitRequest(key: ApiKey | undefined, runtime: Runtime, model: string): Promise<KeyFields> {
  if (key === undefined) return {};
  checkModel(key, model);
  const named: KeyFields = key.name === undefined ? {} : { keyName: key.name };
  const limits = key.limits;
  if (!hasLimits(limits)) return named;
  const store = runtime.store;
  // Spend kept in this process only starts from the ledger: a restart does not give a key its budget back.
  const local = !(store as { shared?: boolean }).shared;
  if (limits.budget !== undefined && local && runtime.usage !== undefined) await restoreKeySpend(store, runtime.usage.ledger, runtime.project.key, Date.now());
  await admitKey(store, limits, Date.now());
  // A counter that cannot be written costs the key's accounting one request, never the answer.
  return { ...named, onRecord: (spend: KeySpend) => void recordKeySpend(store, limits, spend, Date.now()).catch(() => undefined) };
}
