import type { ResolvedProject } from "../config/index.js";
import { gatewayDbPath } from "../state/gateway-db.js";
import type { KeyStore } from "./key-store.js";
import { RedisKeyStore } from "./redis-key-store.js";
import { SqliteKeyStore } from "./sqlite-key-store.js";

/** Which store a project's `lf keys` live in: a string that is equal for projects sharing one. */
export function keyStoreId(project: ResolvedProject): string {
  const url = project.state.redisUrl;
  return url !== undefined && url !== "" ? `redis ${url} ${project.state.keyPrefix}` : `sqlite ${gatewayDbPath(project.dir)}`;
}

/** The project's `state:` Redis when it has one, else `.lf/gateway.db` beside its ledger. */
export function openKeyStore(project: ResolvedProject): KeyStore {
  const url = project.state.redisUrl;
  if (url !== undefined && url !== "") return RedisKeyStore.connect(url, project.state.keyPrefix);
  return SqliteKeyStore.open(gatewayDbPath(project.dir));
}
