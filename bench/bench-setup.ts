import { rmSync } from "node:fs";
import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startArrivalFake, type ArrivalFake } from "./arrival-fake.js";
import { writeBenchProject, type BenchProject } from "./bench-project.js";
import { waitForLine, type ChildProcesses, type StartedChild } from "./child-processes.js";
import { freePort } from "./free-port.js";
import type { BenchOptions } from "./options.js";

/** Paths of the compiled pieces, from dist/bench/ up to the repository. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const PATHS = {
  cliBin: join(ROOT, "cli", "bin.js"),
  fakeCli: join(ROOT, "dist", "test", "fake-provider", "cli.js"),
  floorCli: join(ROOT, "dist", "bench", "floor-proxy-cli.js"),
  sinkCli: join(ROOT, "dist", "bench", "otlp-sink-cli.js"),
  exitOnSignal: join(ROOT, "dist", "bench", "exit-on-signal.js"),
};

export interface Upstreams {
  fake: string;
  /** Process ids of the fake and the floor in front of it, for CPU per request. */
  pids: { fake: number; floor: number };
  stamped: string;
  floor: string;
  stampedFloor: string;
  arrival: ArrivalFake;
  project: BenchProject;
  lfPort: number;
  close(): Promise<void>;
}

/** The fakes, the floor proxies in front of them, the arrival fake and the project that points at them. */
export async function startUpstreams(children: ChildProcesses, options: BenchOptions): Promise<Upstreams> {
  const listening = async (child: StartedChild) => (await waitForLine(child, /^listening (\S+)\n/m, 15_000))[1]!;
  const node = (name: string, args: string[]) => children.start(name, process.execPath, args);
  const fakeChild = node("fake", [PATHS.fakeCli, "--port", "0", "--record", "0"]);
  const [fake, stamped] = await Promise.all([
    listening(fakeChild),
    listening(node("stamped fake", [PATHS.fakeCli, "--port", "0", "--record", "0", "--stamp", "hrtime", "--chunks", String(options.chunks), "--chunk-delay-ms", String(options.chunkDelayMs)])),
  ]);
  const floorProcess = node("floor", [PATHS.floorCli, "--upstream", fake]);
  const [floor, stampedFloor] = await Promise.all([
    listening(floorProcess),
    listening(node("stamped floor", [PATHS.floorCli, "--upstream", stamped])),
  ]);
  const arrival = await startArrivalFake();
  const lfPort = await freePort();
  const project = await writeBenchProject({ fake, stamped, arrival: arrival.url, serverPort: lfPort });
  children.atExit(() => rmSync(project.dir, { recursive: true, force: true }));
  return {
    fake,
    pids: { fake: fakeChild.process.pid!, floor: floorProcess.process.pid! },
    stamped,
    floor,
    stampedFloor,
    arrival,
    project,
    lfPort,
    close: async () => {
      await arrival.close();
      await rm(project.dir, { recursive: true, force: true });
    },
  };
}
