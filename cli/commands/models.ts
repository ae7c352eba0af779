import { Runtime } from "../../runtime/index.js";
import { exitCodes } from "../exit-codes.js";
import { CliExit, loadProjectOrExit } from "../load-runtime.js";
import { paint } from "../output.js";

/** `lf models`: the project's named models and routers. */
export async function modelsCommand(options: { project?: string; json?: boolean }): Promise<number> {
  let project;
  try {
    project = loadProjectOrExit(options.project);
  } catch (error) {
    if (error instanceof CliExit) return error.code;
    throw error;
  }
  const runtime = new Runtime(project);
  try {
    const models = runtime.models();
    if (options.json) {
      console.log(JSON.stringify(models, null, 2));
      return exitCodes.ok;
    }
    const out = process.stdout;
    for (const m of models) {
      const what = m.router ? `router (${m.router}) over ${project.models.get(m.name)!.router!.members.map((x) => x.model).join(", ")}` : `${m.provider}/${m.modelId}`;
      out.write(`${m.isDefault ? "*" : " "} ${m.name.padEnd(20)} ${what}${m.description ? `  ${paint.dim(m.description, out)}` : ""}\n`);
    }
    return exitCodes.ok;
  } finally {
    await runtime.close();
  }
}
