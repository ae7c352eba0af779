import { relative } from "node:path";
import { formatIssue, loadProjectFile, openRuntime, resolveProjectPath, type ResolvedProject, type Runtime } from "../runtime/index.js";
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

/** Runs a command on the project at `path`; a missing or invalid project ends it with its exit code. */
export async function withProject(path: string | undefined, command: (project: ResolvedProject) => Promise<number>): Promise<number> {
  let project: ResolvedProject;
  try {
    project = loadProjectOrExit(path);
  } catch (error) {
    if (error instanceof CliExit) return error.code;
    throw error;
  }
  return command(project);
}

/** Runs a command on a runtime over the project at `path` (no usage ledger), closed afterwards. */
export async function withRuntime(path: string | undefined, command: (runtime: Runtime, project: ResolvedProject) => Promise<number>): Promise<number> {
  return withProject(path, async (project) => {
    const opened = await openRuntime(project, { usage: false });
    try {
      return await command(opened.runtime, project);
    } finally {
      await opened.close();
    }
  });
}
