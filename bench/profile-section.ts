import { mkdir, mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import { PATHS, ROOT, type Upstreams } from "./bench-setup.js";
import { BENCH_MODELS } from "./bench-project.js";
import type { ChildProcesses } from "./child-processes.js";
import { readCpuProfile } from "./cpu-profile.js";
import { findCpuProfile, startLfServe } from "./lf-serve.js";
import { runLoadPoint } from "./load-point.js";
import type { BenchOptions } from "./options.js";
import type { BenchResults } from "./results.js";

/**
 * A separate `lf serve` under `--cpu-prof` for the json c=16 point: the profiler slows it, so its
 * throughput is reported apart and never mixed into the figures above.
 */
export async function profileLf(children: ChildProcesses, up: Upstreams, options: BenchOptions, parent: string): Promise<NonNullable<BenchResults["profile"]>> {
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(join(parent, "lf-serve-"));
  const lf = await startLfServe(children, { cliBin: PATHS.cliBin, project: up.project, port: up.lfPort, profileDir: dir, exitOnSignal: PATHS.exitOnSignal });
  const load = await runLoadPoint({ url: lf.chatUrl, model: BENCH_MODELS.load }, { connections: 16, stream: false, durationS: options.durationS, warmupS: options.warmupS });
  await children.stop(lf.child, 10_000);
  const file = await findCpuProfile(dir);
  if (file === undefined) throw new Error(`lf serve wrote no .cpuprofile into ${dir} (did it exit normally on SIGTERM?)`);
  return { ...(await readCpuProfile(file, ROOT, load.windowUs)), file, rps: load.rps };
}
