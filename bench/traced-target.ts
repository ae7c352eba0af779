import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { benchProjectYaml, type BenchProject, type BenchUpstreams } from "./bench-project.js";
import { waitForLine, type ChildProcesses } from "./child-processes.js";
import { freePort } from "./free-port.js";
import { startLfServe, type LfServer } from "./lf-serve.js";

export interface TracedLf {
  lf: LfServer;
  /** Stops lf (which exports what it still holds), then the sink; returns what the sink received. */
  close(): Promise<{ exports: number; spans: number }>;
}

/**
 * A second `lf serve` on the same project with tracing on (`telemetry.otlp_endpoint`), exporting to a
 * collector that keeps nothing, in a process of its own. Read against the first lf, it is the
 * per-request cost of the spans and their batched export.
 */
export async function startTracedLf(children: ChildProcesses, cliBin: string, sinkCli: string, upstreams: Omit<BenchUpstreams, "serverPort">, env: Record<string, string>): Promise<TracedLf> {
  const sinkChild = children.start("otlp sink", process.execPath, [sinkCli, "--port", "0"]);
  const sink = (await waitForLine(sinkChild, /^listening (\S+)\n/m, 15_000))[1]!;
  const dir = await mkdtemp(join(tmpdir(), "lf-bench-traced-"));
  const port = await freePort();
  const file = join(dir, "llamafarm.yaml");
  await writeFile(file, `${benchProjectYaml({ ...upstreams, serverPort: port })}\ntelemetry:\n  otlp_endpoint: ${sink}\n`);
  const project: BenchProject = { dir, file, namespace: "bench", name: "bench", env };
  const lf = await startLfServe(children, { cliBin, project, port });
  return {
    lf,
    async close() {
      try {
        await children.stop(lf.child);
        return (await (await fetch(`${sink}/count`)).json()) as { exports: number; spans: number };
      } finally {
        await children.stop(sinkChild);
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
