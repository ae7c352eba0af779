import { isAbsolute, resolve } from "node:path";
import { cachePathOf, looksLikeModelSource, modelsDir, parseModelSource } from "../models/index.js";

export interface GgufLocation {
  /** The file llama.cpp loads. */
  path: string;
  /** The pull source it comes from (`hf:...` or a URL), when the model names one. */
  source?: string;
}

/**
 * Where a llamacpp model's file is: a pull source (`hf:owner/repo/file.gguf`, an https URL) is its
 * place in the models folder, where `lf models pull` puts it, so a project file names a model the same
 * way on every machine; anything else is a path, relative to the project folder. Throws an LfError for
 * a source it cannot parse.
 */
export function ggufLocation(model: string, dir: string, env: Readonly<Record<string, string | undefined>>): GgufLocation {
  if (!looksLikeModelSource(model)) return { path: isAbsolute(model) ? model : resolve(dir, model) };
  const source = parseModelSource(model, env);
  return { path: cachePathOf(source, modelsDir(env)), source: source.reference };
}
