export * from "./cache-store.js";
export * from "./cache-key.js";
export * from "./cached-runs.js";
export * from "./response-cache.js";
