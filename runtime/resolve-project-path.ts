import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { findProjectFile } from "./config/index.js";

/** `--project` as a file or a folder; without it, ./llamafarm.yaml or the nearest one above. */
export function resolveProjectPath(project: string | undefined, cwd: string = process.cwd()): string | undefined {
  if (project === undefined) return findProjectFile(cwd);
  const path = resolve(cwd, project);
  if (existsSync(path) && statSync(path).isDirectory()) {
    for (const name of ["llamafarm.yaml", "llamafarm.yml"]) if (existsSync(join(path, name))) return join(path, name);
    return join(path, "llamafarm.yaml");
  }
  return path;
}
