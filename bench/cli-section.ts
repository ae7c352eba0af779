import { BENCH_MODELS } from "./bench-project.js";
import { PATHS, type Upstreams } from "./bench-setup.js";
import type { ChildProcesses } from "./child-processes.js";
import { hyperfine, timeToExit, timeToUpstream, type CliCommand } from "./cli-startup.js";
import type { CliFigures } from "./results.js";

/** Each figure on its own, so one failing command does not lose the others. */
export async function measureCli(children: ChildProcesses, up: Upstreams, runs: number, into: CliFigures, fail: (what: string, error: unknown) => void): Promise<void> {
  const env = { ...process.env, ...up.project.env };
  const validate: CliCommand = { label: "lf validate", args: [PATHS.cliBin, "validate", up.project.file] };
  const version: CliCommand = { label: "lf --version", args: [PATHS.cliBin, "--version"] };
  const chat: CliCommand = { label: "lf chat", args: [PATHS.cliBin, "chat", "--project", up.project.file, "--model", BENCH_MODELS.arrival, "Say hello."] };
  const attempt = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      fail(what, error);
    }
  };
  await attempt("lf validate", async () => {
    into.validate = await timeToExit(children, validate, runs, env);
  });
  await attempt("lf --version", async () => {
    into.version = await timeToExit(children, version, runs, env);
  });
  await attempt("lf chat", async () => {
    into.chatToUpstream = await timeToUpstream(children, chat, up.arrival, runs, env);
  });
  await attempt("hyperfine", async () => {
    const run = await hyperfine([validate, version], Math.max(runs, 3), env);
    if (run) into.hyperfine = run;
    else into.notes.push("hyperfine is not installed (apt-get install hyperfine): CLI start-up is the in-process measurement only.");
  });
}
