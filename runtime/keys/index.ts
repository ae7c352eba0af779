export * from "./key-store.js";
export * from "./key-limits.js";
export * from "./open-key-store.js";
export * from "./sqlite-key-store.js";
export * from "./redis-key-store.js";
