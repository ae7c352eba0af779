import type { Runtime } from "../index.js";
import { admitKey, hasLimits, recordKeySpend, restoreKeySpend, type KeySpend } from "../keys/index.js";
import { checkModel, type ApiKey } from "./api-keys.js";

/**
 * What a request's key allows, checked once its model is known: the model (403), then the key's own
 * budgets, tpm and rpm in the project's state store (429). Returns what records the request's spend
 * against the key once the ledger has its row, for a key with limits.
 */
export async function admitRequest(key: ApiKey | undefined, runtime: Runtime, model: string): Promise<((spend: KeySpend) => void) | undefined> {
  if (key === undefined) return undefined;
  checkModel(key, model);
  const limits = key.limits;
  if (!hasLimits(limits)) return undefined;
  const store = runtime.store;
  // Spend kept in this process only starts from the ledger: a restart does not give a key its budget back.
  const local = !(store as { shared?: boolean }).shared;
  if (limits.budget !== undefined && local && runtime.usage !== undefined) await restoreKeySpend(store, runtime.usage.ledger, runtime.project.key, Date.now());
  await admitKey(store, limits, Date.now());
  // A counter that cannot be written costs the key's accounting one request, never the answer.
  return (spend) => void recordKeySpend(store, limits, spend, Date.now()).catch(() => undefined);
}
