import { exitCodes } from "../exit-codes.js";
import { withRuntime } from "../load-runtime.js";
import { paint } from "../output.js";

/** `lf models`: the project's named models and routers. */
export async function modelsCommand(options: { project?: string; json?: boolean }): Promise<number> {
  return withRuntime(options.project, async (runtime, project) => {
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
  });
}
