import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "./run-cli.js";

export interface ServeChild {
  child: ChildProcess;
  url: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): { stdout: string; stderr: string };
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<number | NodeJS.Signals | null>;
}

/** Starts the real `lf serve` binary on a free loopback port and resolves once it listens. */
export async function startServeChild(args: string[], env: Record<string, string | undefined>, timeoutMs = 20_000): Promise<ServeChild> {
  const child = spawn(process.execPath, [join(repoRoot, "cli", "bin.js"), "serve", "--port", "0", ...args], {
    env: { ...env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once("exit", (code, signal) => resolve(signal ?? code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lf serve did not start:\n${stdout}\n${stderr}`)), timeoutMs);
    const look = () => {
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match && stdout.includes("/chat/completions")) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on("data", look);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`lf serve exited with ${code}:\n${stdout}\n${stderr}`));
    });
  });
  return { child, url, output: () => ({ stdout, stderr }), exited };
}
