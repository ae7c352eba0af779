import { LfError } from "../../core/errors.js";

export type NodeLlamaCpp = typeof import("node-llama-cpp");

let loading: Promise<NodeLlamaCpp> | undefined;

/**
 * node-llama-cpp is an optional peer dependency: most projects never run a local model, and its
 * native binaries are large. It is imported on first use, and its absence is a clear error.
 */
export function loadNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  loading ??= import("node-llama-cpp").catch((error: unknown) => {
    loading = undefined;
    const missing = error instanceof Error && "code" in error && (error.code === "ERR_MODULE_NOT_FOUND" || error.code === "MODULE_NOT_FOUND");
    throw new LfError(
      "provider_unavailable",
      missing
        ? "The llamacpp provider needs the optional package node-llama-cpp: run `npm install node-llama-cpp`"
        : `node-llama-cpp could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  });
  return loading;
}
