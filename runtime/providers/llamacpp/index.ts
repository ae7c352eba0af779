export { createLlamaCppAdapter, LlamaCppAdapter, type LlamaCppAdapterOptions } from "./llamacpp-adapter.js";
export { disposeLlamaCppModels, loadedLlamaCppModelCount, type GpuLayers } from "./model-cache.js";
export { readGgufSummary, GgufFormatError, type GgufSummary } from "./gguf-header.js";
