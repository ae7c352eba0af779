import { relative } from "node:path";
import { findProjectFile, formatIssue, loadProjectFile } from "../../runtime/config/index.js";
import { exitCodes } from "../exit-codes.js";
import { paint } from "../output.js";

export async function validateCommand(file: string | undefined, options: { json?: boolean }): Promise<number> {
  const target = file ?? findProjectFile();
  if (target === undefined) {
    const message = "no llamafarm.yaml in this folder or any folder above it (lf init writes one)";
    if (options.json) console.log(JSON.stringify({ file: null, valid: false, errors: 1, warnings: 0, issues: [{ severity: "error", path: "", line: 0, column: 0, message }] }, null, 2));
    else console.error(`error: ${message}`);
    return exitCodes.failure;
  }
  const result = loadProjectFile(target);
  const shown = file ?? (relative(process.cwd(), result.file) || result.file);
  const errors = result.issues.filter((i) => i.severity === "error").length;
  const warnings = result.issues.length - errors;
  if (options.json) {
    console.log(JSON.stringify({ file: result.file, valid: errors === 0, errors, warnings, issues: result.issues }, null, 2));
    return errors > 0 ? exitCodes.failure : exitCodes.ok;
  }
  const out = process.stdout;
  for (const issue of result.issues) {
    const line = formatIssue(shown, issue);
    out.write((issue.severity === "error" ? paint.red(line, out) : paint.yellow(line, out)) + "\n");
  }
  const counts = `${plural(errors, "error")}, ${plural(warnings, "warning")}`;
  if (errors > 0) out.write(paint.red(`✗ ${shown}: ${counts}`, out) + "\n");
  else {
    const models = result.project!.models.size;
    out.write(paint.green(`✓ ${shown} is valid: ${plural(models, "model")}, ${plural(warnings, "warning")}`, out) + "\n");
  }
  return errors > 0 ? exitCodes.failure : exitCodes.ok;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}
