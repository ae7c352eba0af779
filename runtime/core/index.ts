export * from "./chat.js";
export * from "./clock.js";
export * from "./answer-fold.js";
export * from "./collect-stream.js";
export * from "./errors.js";
export * from "./model-adapter.js";
export * from "./provider-parameters.js";
export * from "./stream-part.js";
