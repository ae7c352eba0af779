import { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { RedisStateStore, createStateStore, type ManagedStateStore } from "../../runtime/state/index.js";
import { RedisServer } from "./support/redis-server.js";
import { describeStateStoreContract } from "./support/state-store-contract.js";

let server: RedisServer;
let client: Redis;
const managed: ManagedStateStore[] = [];
let prefixes = 0;

beforeAll(async () => {
  server = await RedisServer.start();
  client = new Redis(server.url, { enableOfflineQueue: false, lazyConnect: true });
  await client.connect();
});

afterAll(async () => {
  await Promise.all(managed.map((store) => store.close()));
  await client?.quit();
  await server?.stop();
});

// Each test gets a key prefix of its own, so they share one server without seeing each other.
describeStateStoreContract("RedisStateStore", async (clock) => new RedisStateStore(client, { clock, keyPrefix: `t${++prefixes}:` }));

describeStateStoreContract("createStateStore with Redis", async (clock) => {
  const store = createStateStore({ redisUrl: server.url, keyPrefix: `m${++prefixes}:`, clock });
  managed.push(store);
  return store;
});
