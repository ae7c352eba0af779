import { readdir } from "node:fs/promises";
import { join } from "node:path";

const PROJECT_FILES = new Set(["llamafarm.yaml", "llamafarm.yml"]);

/** Every project file under `dir`, recursively, skipping node_modules and dot-folders; sorted. */
export async function discoverProjects(dir: string): Promise<string[]> {
  const found: string[] = [];
  async function visit(folder: string): Promise<void> {
    const entries = await readdir(folder, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.isDirectory()) {
        if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
        await visit(join(folder, entry.name));
      } else if (entry.isFile() && PROJECT_FILES.has(entry.name)) {
        found.push(join(folder, entry.name));
      }
    }
  }
  await visit(dir);
  return found.sort();
}
