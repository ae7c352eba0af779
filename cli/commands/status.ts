import { projectStatus, type ModelStatus } from "../../runtime/status.js";
import { exitCodes } from "../exit-codes.js";
import { withRuntime } from "../load-runtime.js";
import { paint, useColor } from "../output.js";

export interface StatusCommandOptions {
  project?: string;
  json?: boolean;
  timeout?: string;
  slow?: string;
}

/** `lf status`: what works. Exit 1 when the default model cannot be reached. */
export async function statusCommand(options: StatusCommandOptions): Promise<number> {
  return withRuntime(options.project, async (runtime) => {
    const status = await projectStatus(runtime, {
      timeoutMs: options.timeout ? Number(options.timeout) : 5000,
      slowMs: options.slow ? Number(options.slow) : 2000,
    });
    if (options.json) {
      console.log(JSON.stringify(status, null, 2));
      return status.defaultReachable ? exitCodes.ok : exitCodes.failure;
    }
    const out = process.stdout;
    const fancy = useColor(out);
    out.write(`${paint.bold(status.project, out)}  ${paint.dim(status.file, out)}\n\n`);
    for (const model of status.models) out.write(modelLine(model, fancy) + "\n");
    if (status.mcp.length > 0) {
      out.write("\nMCP servers\n");
      for (const server of status.mcp) {
        const ok = server.state === "ready";
        const mark = fancy ? (ok ? paint.green("✓", out) : paint.red("✗", out)) : ok ? "ok  " : "down";
        out.write(`${mark} ${server.name.padEnd(18)} ${server.transport.padEnd(6)} ${server.state}${server.required ? ", required" : ""}${server.tools !== undefined ? `, ${server.tools} tools` : ""}${server.detail ? `  ${paint.dim(server.detail, out)}` : ""}\n`);
      }
    }
    out.write("\nStores\n");
    const { sessions, usage } = status.stores;
    out.write(storeLine("sessions", sessions, "", fancy));
    const waiting = usage.rows === undefined ? "" : `, ${usage.rows} ${usage.rows === 1 ? "row" : "rows"} waiting in .lf/usage.db`;
    out.write(storeLine("usage", usage, waiting, fancy));
    out.write(`\ndefault model ${status.defaultModel}: ${status.defaultReachable ? "reachable" : "NOT reachable"}\n`);
    return status.defaultReachable ? exitCodes.ok : exitCodes.failure;
  });
}

function storeLine(name: string, store: { store: string; reachable: boolean; detail?: string }, extra: string, fancy: boolean): string {
  const out = process.stdout;
  const mark = fancy ? (store.reachable ? paint.green("✓", out) : paint.red("✗", out)) : store.reachable ? "ok  " : "down";
  const detail = store.detail ? `\n      ${paint.dim(store.detail, out)}` : "";
  return `${mark} ${name.padEnd(18)} ${store.store}  ${store.reachable ? "reachable" : "NOT reachable"}${extra}${detail}\n`;
}

function modelLine(model: ModelStatus, fancy: boolean): string {
  const out = process.stdout;
  const marks = {
    ok: fancy ? paint.green("✓", out) : "ok  ",
    slow: fancy ? paint.yellow("!", out) : "slow",
    down: fancy ? paint.red("✗", out) : "down",
    unchecked: fancy ? paint.dim("·", out) : "-   ",
  } as const;
  const name = `${model.name}${model.isDefault ? " (default)" : ""}`.padEnd(22);
  if (model.router) {
    return `${marks.unchecked} ${name} router ${model.router.strategy} over ${model.router.members.join(", ")}`;
  }
  const parts = [`${model.provider}/${model.modelId}`];
  if (model.key) {
    parts.push(model.key.present ? `key: ${model.key.from === "env" ? model.key.envVar : "api_key"}` : model.key.envVar ? "key: none" : "");
  }
  if (model.latencyMs !== undefined) parts.push(`${model.latencyMs} ms`);
  if (model.circuit !== "closed") parts.push(`circuit ${model.circuit}`);
  const limits = Object.entries(model.limits).map(([k, v]) => `${k} ${v}`);
  if (limits.length) parts.push(limits.join(" "));
  const detail = model.health === "ok" ? "" : model.detail ? `\n      ${paint.dim(model.detail, out)}` : "";
  return `${marks[model.health]} ${name} ${parts.filter(Boolean).join("  ")}${detail}`;
}
