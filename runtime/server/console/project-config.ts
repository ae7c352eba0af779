import { redactSecrets } from "../../index.js";
import type { ServedProject } from "../served-project.js";

/** The last load of a project's file: accepted (serving it) or refused (the previous config serves on), and why. */
export interface ReloadResult {
  status: "accepted" | "refused";
  at: string | null;
  /** A refused edit's findings, `FILE:LINE:COL: error PATH: message` each. */
  findings: string[];
}

/** `GET /v1/projects/{ns}/{p}/config`: the file as loaded, what validating it found, and the last reload. */
export interface ProjectConfig {
  project: string;
  file: string;
  /** Secrets masked, as in the logs: a key written into the file never reaches a page. */
  text: string;
  findings: Array<{ severity: string; line: number; column: number; path: string; message: string }>;
  reload: ReloadResult;
}

export function reloadResult(served: ServedProject): ReloadResult {
  const error = served.loadError;
  if (error !== undefined && (served.loadedAt === undefined || error.at >= served.loadedAt)) {
    return { status: "refused", at: new Date(error.at).toISOString(), findings: error.findings };
  }
  return { status: "accepted", at: served.loadedAt === undefined ? null : new Date(served.loadedAt).toISOString(), findings: [] };
}

export function projectConfig(served: ServedProject): ProjectConfig {
  const secrets = served.secrets;
  return {
    project: served.key!,
    file: served.file,
    text: maskWritten(redactSecrets(served.text ?? "", secrets), writtenSecrets(served)),
    findings: served.issues.map((i) => ({ severity: i.severity, line: i.line, column: i.column, path: i.path, message: redactSecrets(i.message, secrets) })),
    reload: reloadResult(served),
  };
}

/** Keys written into the file itself rather than taken from the environment: API keys, model keys, header values. */
function writtenSecrets(served: ServedProject): string[] {
  const project = served.project;
  if (project === undefined) return [];
  const out = project.server.apiKeys.map((k) => k.key);
  for (const model of project.models.values()) {
    if (model.apiKey !== undefined) out.push(model.apiKey);
    out.push(...Object.values(model.headers));
  }
  return out.filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}

function maskWritten(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join("****");
  return out;
}
