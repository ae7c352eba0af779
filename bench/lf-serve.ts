import { execFile } from "node:child_process";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import type { BenchProject } from "./bench-project.js";
import type { ChildProcesses, StartedChild } from "./child-processes.js";

export interface LfServer {
  child: StartedChild;
  /** `http://127.0.0.1:port` */
  url: string;
  /** The project-scoped chat completions route. */
  chatUrl: string;
  /** The project-scoped Messages route. */
  messagesUrl: string;
}

/** A reason lf serve cannot be measured (the command is not there yet), or undefined when it can. */
export async function lfServeMissing(cliBin: string): Promise<string | undefined> {
  const help = await new Promise<string>((resolve) => {
    execFile(process.execPath, [cliBin, "serve", "--help"], { timeout: 15_000 }, (_error, stdout, stderr) => resolve(stdout + stderr));
  });
  return /Usage: lf serve/.test(help) ? undefined : "`lf serve --help` does not describe a serve command";
}

export interface StartLfOptions {
  cliBin: string;
  project: BenchProject;
  port: number;
  /** Write a CPU profile into this folder. */
  profileDir?: string;
  /** The compiled exit-on-signal preload, needed with `profileDir`. */
  exitOnSignal?: string;
}

export async function startLfServe(children: ChildProcesses, options: StartLfOptions): Promise<LfServer> {
  const help = await new Promise<string>((resolve) => {
    execFile(process.execPath, [options.cliBin, "serve", "--help"], { timeout: 15_000 }, (_error, stdout) => resolve(stdout));
  });
  // The port is in the project too; the flag, where the command has one, wins over a stray environment.
  const portFlag = /--port\b/.test(help) ? ["--port", String(options.port)] : [];
  const nodeFlags = options.profileDir ? ["--cpu-prof", "--cpu-prof-dir", options.profileDir, "--import", options.exitOnSignal!] : [];
  const child = children.start("lf serve", process.execPath, [...nodeFlags, options.cliBin, "serve", "--project", options.project.file, ...portFlag], {
    env: { ...process.env, ...options.project.env, NODE_ENV: "production" },
  });
  const url = `http://127.0.0.1:${options.port}`;
  await waitForHttp(url, child, 30_000);
  const project = `${url}/v1/projects/${options.project.namespace}/${options.project.name}`;
  return { child, url, chatUrl: `${project}/chat/completions`, messagesUrl: `${project}/messages` };
}

/** Any HTTP answer on `/health` means the server is up: the status does not matter here. */
async function waitForHttp(url: string, child: StartedChild, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.process.exitCode !== null) throw new Error(`lf serve exited (${child.process.exitCode}) before it listened:\n${child.output()}`);
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`lf serve did not answer on ${url} within ${timeoutMs} ms:\n${child.output()}`);
}

export async function findCpuProfile(dir: string): Promise<string | undefined> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".cpuprofile"));
  return files.length > 0 ? join(dir, files.sort().at(-1)!) : undefined;
}
