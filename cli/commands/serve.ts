import { relative } from "node:path";
import type { Logger } from "pino";
import { stat } from "node:fs/promises";
import { LfError, resolveProjectPath } from "../../runtime/index.js";
import { Gateway, createLogger, discoverProjects } from "../../runtime/server/index.js";
import { exitCodes } from "../exit-codes.js";

export interface ServeOptions {
  project?: string;
  projects?: string;
  host?: string;
  port?: string;
  verbose?: boolean;
}

/**
 * `lf serve`: one project (`--project`, default the nearest llamafarm.yaml) or every project under a
 * folder (`--projects`). Runs until SIGINT or SIGTERM, then drains requests and closes every runtime.
 */
export async function serveCommand(options: ServeOptions): Promise<number> {
  if (options.project !== undefined && options.projects !== undefined) return usage("use --project or --projects, not both");
  const port = options.port === undefined ? undefined : Number(options.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) return usage(`--port takes a port number, not "${options.port}"`);

  let files: string[];
  if (options.projects !== undefined) {
    if (!(await isFolder(options.projects))) return usage(`--projects takes a folder: ${options.projects}`);
    files = await discoverProjects(options.projects);
    if (files.length === 0) return usage(`no llamafarm.yaml under ${options.projects}`);
  } else {
    const file = resolveProjectPath(options.project);
    if (file === undefined) return usage("no llamafarm.yaml in this folder or any folder above it (use --project PATH or --projects DIR)");
    files = [file];
  }

  const logger = createLogger({ level: options.verbose || process.env.LF_DEBUG ? "debug" : "info" });
  let gateway: Gateway;
  try {
    gateway = await Gateway.start({ files, logger, ...(options.host ? { host: options.host } : {}), ...(port !== undefined ? { port } : {}) });
  } catch (error) {
    await flushed(logger);
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`error: ${message}\n`);
    return error instanceof LfError && error.code === "config_invalid" ? exitCodes.usage : exitCodes.failure;
  }

  const loaded = gateway.registry.loaded();
  if (loaded.length === 0) {
    for (const served of gateway.registry.projects) for (const finding of served.loadError?.findings ?? []) process.stderr.write(`${finding}\n`);
    process.stderr.write(`error: no project could be loaded; run lf validate\n`);
    await gateway.close(0);
    await flushed(logger);
    return exitCodes.usage;
  }

  process.stdout.write(`lf serve: listening on ${gateway.url}\n`);
  for (const served of gateway.registry.projects) {
    const shown = relative(process.cwd(), served.file) || served.file;
    const line = served.key === undefined
      ? `  ${shown}: not loaded (${served.loadError?.findings.length ?? 0} findings; see /health/ready)`
      : `  ${served.key}: ${gateway.url}/v1/projects/${served.key}/chat/completions (${shown})`;
    process.stdout.write(line + "\n");
  }

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      logger.info({ signal }, "shutting down");
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      // A second signal while draining ends the process at once.
      process.once("SIGINT", () => process.exit(exitCodes.failure));
      process.once("SIGTERM", () => process.exit(exitCodes.failure));
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  await gateway.close();
  await flushed(logger);
  return exitCodes.ok;
}

function flushed(logger: Logger): Promise<void> {
  return new Promise((resolve) => logger.flush(() => resolve()));
}

async function isFolder(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function usage(message: string): number {
  process.stderr.write(`error: ${message}\n`);
  return exitCodes.usage;
}
