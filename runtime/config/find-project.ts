import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

export const PROJECT_FILE = "llamafarm.yaml";

/** `./llamafarm.yaml`, else the nearest one in a parent folder. */
export function findProjectFile(from: string = process.cwd()): string | undefined {
  let dir = resolve(from);
  for (;;) {
    for (const name of [PROJECT_FILE, "llamafarm.yml"]) {
      const candidate = join(dir, name);
      if (existsSync(candidate)) return candidate;
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
