export type Severity = "error" | "warning";

/** One finding about a project file. A warning never blocks loading. */
export interface ConfigIssue {
  severity: Severity;
  /** Where in the document, e.g. `runtime.models[2].model`; empty for the whole file. */
  path: string;
  /** 1-based; 0 when the finding has no place in the file (e.g. the file is missing). */
  line: number;
  column: number;
  message: string;
}

export function formatPath(path: ReadonlyArray<string | number>): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out;
}

/** `FILE:LINE:COL: severity PATH: message`, the line `lf validate` prints. */
export function formatIssue(file: string, issue: ConfigIssue): string {
  const where = issue.line > 0 ? `${file}:${issue.line}:${issue.column}` : file;
  const path = issue.path === "" ? "" : ` ${issue.path}`;
  return `${where}: ${issue.severity}${path}: ${issue.message}`;
}
