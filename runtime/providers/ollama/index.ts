export { createOllamaAdapter, OllamaAdapter, type OllamaAdapterOptions } from "./ollama-adapter.js";
export { buildOllamaRequest } from "./build-ollama-request.js";
export { resolveOllamaHost, OLLAMA_DEFAULT_HOST } from "./resolve-ollama-host.js";
