export * from "./state-store.js";
export * from "./memory-state-store.js";
