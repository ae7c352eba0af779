import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { readManifest } from "./model-manifest.js";

export interface LocalModel {
  path: string;
  /** `ready`: pulled and checked; `partial`: an interrupted pull, resumed by pulling again; `rejected`: failed a check, set aside. */
  state: "ready" | "partial" | "rejected";
  bytes: number;
  /** The whole file's size, for a partial one whose source said it. */
  total?: number;
  /** `hf:...` or the URL; for a file put here by hand, its path in the folder. */
  source: string;
  sha256?: string;
  pulledAt?: string;
}

/** The model files in the models folder, pulled or half-pulled, sorted by path. */
export function listLocalModels(dir: string): LocalModel[] {
  const found: LocalModel[] = [];
  for (const path of walk(dir)) {
    const lower = path.toLowerCase();
    const bytes = statSync(path).size;
    if (lower.endsWith(".gguf")) {
      const manifest = readManifest(path);
      found.push({
        path,
        state: "ready",
        bytes,
        source: manifest?.source ?? relative(dir, path).split(sep).join("/"),
        ...(manifest ? { sha256: manifest.sha256, pulledAt: manifest.pulledAt } : {}),
      });
    } else if (lower.endsWith(".gguf.part")) {
      const info = partInfo(`${path.slice(0, -".part".length)}.part.json`);
      found.push({ path, state: "partial", bytes, source: info.source ?? info.url ?? relative(dir, path), ...(info.size === undefined ? {} : { total: info.size }) });
    } else if (lower.endsWith(".gguf.rejected")) {
      found.push({ path, state: "rejected", bytes, source: relative(dir, path).split(sep).join("/") });
    }
  }
  return found.sort((a, b) => a.path.localeCompare(b.path));
}

function* walk(dir: string): Generator<string> {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

function partInfo(file: string): { url?: string; source?: string; size?: number } {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as { url?: string; source?: string; size?: number };
  } catch {
    return {};
  }
}
