import { apiKeyStatus, defaultBaseUrl, PROVIDERS, type ProviderName } from "../../runtime/providers/index.js";
import { loadProjectFile, resolveProjectPath } from "../../runtime/index.js";
import { exitCodes } from "../exit-codes.js";

/** `lf providers`: each provider, its default URL and where it reads its key (present or not, never its value). */
export async function providersCommand(options: { project?: string; json?: boolean }): Promise<number> {
  const file = resolveProjectPath(options.project);
  const project = file ? loadProjectFile(file).project : undefined;
  const rows = [...PROVIDERS.values()].map((descriptor) => {
    const provider = descriptor.name as ProviderName;
    const source = descriptor.key;
    const models = project ? [...project.models.values()].filter((m) => m.provider === provider).map((m) => m.name) : [];
    const key = apiKeyStatus({ provider }, process.env);
    return {
      provider,
      defaultBaseUrl: defaultBaseUrl(provider, process.env) ?? null,
      keyFrom: !source.configurable ? "none: runs in-process" : source.envVar ? `api_key, or ${source.envVar} for ${source.officialHost}` : "api_key (optional)",
      keySet: source.envVar ? key.from === "env" : null,
      models,
    };
  });
  if (options.json) {
    console.log(JSON.stringify(rows, null, 2));
    return exitCodes.ok;
  }
  for (const r of rows) {
    const set = r.keySet === null ? "" : r.keySet ? " (set)" : " (not set)";
    process.stdout.write(`${r.provider.padEnd(10)} ${String(r.defaultBaseUrl ?? "-").padEnd(34)} key: ${r.keyFrom}${set}${r.models.length ? `  models: ${r.models.join(", ")}` : ""}\n`);
  }
  return exitCodes.ok;
}
