import { relative } from "node:path";
import { formatIssue, loadProjectFile, resolveProjectPath, type ResolvedProject } from "../runtime/index.js";
import { exitCodes } from "./exit-codes.js";

export class CliExit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Loads the project for a command, printing config findings; a config error exits with code 2. */
export function loadProjectOrExit(project: string | undefined): ResolvedProject {
  const file = resolveProjectPath(project);
  if (file === undefined) {
    console.error("error: no llamafarm.yaml in this folder or any folder above it (use --project PATH, or lf init)");
    throw new CliExit(exitCodes.usage);
  }
  const result = loadProjectFile(file);
  const shown = relative(process.cwd(), result.file) || result.file;
  for (const issue of result.issues) {
    if (issue.severity === "error" || process.env.LF_DEBUG) console.error(formatIssue(shown, issue));
  }
  if (!result.project) {
    console.error(`error: ${shown} is not valid; run lf validate ${shown}`);
    throw new CliExit(exitCodes.usage);
  }
  return result.project;
}
