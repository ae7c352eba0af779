export * from "./state-store.js";
export * from "./memory-state-store.js";
export * from "./redis-state-store.js";
export * from "./resilient-state-store.js";
export * from "./create-state-store.js";
export * from "./connect-redis.js";
export * from "./gateway-db.js";
