import { readFileSync, writeFileSync } from "node:fs";

/** Where a pulled file's checked sha256 came from. */
export type ChecksumOrigin = "given" | "published" | "sidecar" | "none";

/** What `lf models list` shows about a pulled file, kept beside it as `<file>.json`. */
export interface ModelManifest {
  /** The source as the user would write it again: `hf:owner/repo/file.gguf` or the URL. */
  source: string;
  url: string;
  bytes: number;
  sha256: string;
  checksum: ChecksumOrigin;
  pulledAt: string;
}

export function manifestPathOf(file: string): string {
  return `${file}.json`;
}

export function readManifest(file: string): ModelManifest | undefined {
  try {
    const manifest = JSON.parse(readFileSync(manifestPathOf(file), "utf8")) as ModelManifest;
    return typeof manifest.sha256 === "string" && typeof manifest.bytes === "number" ? manifest : undefined;
  } catch {
    return undefined;
  }
}

export function writeManifest(file: string, manifest: ModelManifest): void {
  writeFileSync(manifestPathOf(file), `${JSON.stringify(manifest, null, 2)}\n`);
}
