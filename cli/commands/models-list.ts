import { listLocalModels, modelsDir, type LocalModel } from "../../runtime/index.js";
import { exitCodes } from "../exit-codes.js";
import { paint } from "../output.js";
import { formatBytes } from "../progress-bar.js";

/** `lf models list`: the model files in the models folder, with their size and source. */
export function modelsListCommand(options: { json?: boolean }): number {
  const dir = modelsDir(process.env);
  const models = listLocalModels(dir);
  const out = process.stdout;
  if (options.json) {
    out.write(`${JSON.stringify({ dir, models }, null, 2)}\n`);
    return exitCodes.ok;
  }
  if (models.length === 0) {
    out.write(`no model files in ${dir} yet: lf models pull hf:owner/repo/file.gguf\n`);
    return exitCodes.ok;
  }
  out.write(paint.dim(`in ${dir}`, out) + "\n");
  for (const model of models) {
    out.write(`${formatBytes(model.bytes).padStart(9)}  ${state(model)}${model.source}\n`);
    out.write(`           ${paint.dim(model.path, out)}\n`);
  }
  return exitCodes.ok;
}

function state(model: LocalModel): string {
  if (model.state === "partial") {
    const of = model.total ? ` ${Math.floor((model.bytes / model.total) * 100)}% of ${formatBytes(model.total)}` : "";
    return `(partial${of}: lf models pull resumes it) `;
  }
  if (model.state === "rejected") return "(rejected: failed its check; safe to delete) ";
  return "";
}
