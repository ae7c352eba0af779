/**
 * Two or more builds of lf side by side: each `lf serve` (its `cli/bin.js`) on the benchmark project,
 * against the same fake, driven in turn round after round with the floor, so all of them see the same
 * machine. Prints medians of requests per second, CPU per request and p50, and each server's peak resident
 * memory over the measured rounds. See bench/README.md.
 *
 * With `--wires`, this build's one server instead, through chat completions and through Anthropic's
 * Messages route with the same request (the second client dialect held to the first). Every other round
 * runs the targets in reverse order, so neither is always the one measured right after the floor.
 *
 *   npm run bench:compare -- [--connections 16] [--rounds 5] [--duration 4] [--stream] [path/to/other/cli/bin.js ...]
 *   npm run bench:compare -- --wires [--rounds 6] [--stream]
 */
import { parseArgs } from "node:util";
import { PATHS, startUpstreams, type Upstreams } from "./bench-setup.js";
import { BENCH_MODELS, UPSTREAM_MODEL } from "./bench-project.js";
import { ChildProcesses } from "./child-processes.js";
import { freePort } from "./free-port.js";
import { startLfServe, type LfServer } from "./lf-serve.js";
import { runLoadPoint, type LoadResult, type LoadTarget } from "./load-point.js";
import { parseOptions } from "./options.js";
import { RssSampler } from "./rss-sampler.js";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    connections: { type: "string", default: "16" },
    rounds: { type: "string", default: "5" },
    duration: { type: "string", default: "4" },
    stream: { type: "boolean", default: false },
    wires: { type: "boolean", default: false },
  },
});
const connections = Number(values.connections);
const rounds = Number(values.rounds);
const durationS = Number(values.duration);
const bins = values.wires ? [PATHS.cliBin] : [PATHS.cliBin, ...positionals];

const children = new ChildProcesses();
let up: Upstreams | undefined;
try {
  const upstreams = await startUpstreams(children, parseOptions(["--quick"], {}));
  up = upstreams;
  const servers: { label: string; lf: LfServer }[] = [];
  for (const bin of bins) {
    servers.push({ label: bin === PATHS.cliBin ? "this build" : bin, lf: await startLfServe(children, { cliBin: bin, project: upstreams.project, port: await freePort() }) });
  }
  const targets: { label: string; target: LoadTarget }[] = [
    { label: "floor", target: { url: `${upstreams.floor}/v1/chat/completions`, model: UPSTREAM_MODEL, pid: upstreams.pids.floor } },
    ...servers.map(({ label, lf }) => ({ label: values.wires ? "chat completions" : label, target: { url: lf.chatUrl, model: BENCH_MODELS.load, pid: lf.child.process.pid! } })),
  ];
  if (values.wires) {
    const { lf } = servers[0]!;
    targets.push({ label: "messages", target: { url: lf.messagesUrl, wire: "messages", model: BENCH_MODELS.load, pid: lf.child.process.pid! } });
  }
  const point = { connections, stream: values.stream, durationS, warmupS: 0 };
  // One unmeasured pass warms every server up.
  for (const { target } of targets) await runLoadPoint(target, { ...point, durationS: 2 });
  const results = new Map<string, LoadResult[]>(targets.map(({ label }) => [label, []]));
  const memory = new Map(targets.map(({ label, target }) => [label, new RssSampler(target.pid!)]));
  for (let round = 0; round < rounds; round++) {
    for (const { label, target } of round % 2 === 0 ? targets : [...targets].reverse()) {
      const rss = memory.get(label)!.start();
      results.get(label)!.push(await runLoadPoint(target, point));
      rss.stop();
    }
  }
  process.stdout.write(`${values.stream ? "stream" : "json"} c=${connections}, ${rounds} rounds of ${durationS} s, medians\n`);
  for (const [label, runs] of results) {
    const cpu = runs.map((r) => r.cpuUsPerRequest ?? Number.NaN);
    process.stdout.write(
      `${label.padEnd(40)} ${median(runs.map((r) => r.rps)).toFixed(0).padStart(6)} req/s  ${median(cpu).toFixed(0).padStart(4)} µs CPU/req  p50 ${median(runs.map((r) => r.p50)).toFixed(2)} ms  RSS peak ${memory.get(label)!.peakMb.toFixed(0)} MB  [cpu ${cpu.map((c) => c.toFixed(0)).join(" ")}]  errors ${runs.reduce((n, r) => n + r.errors + r.non2xx, 0)}\n`,
    );
  }
} finally {
  await children.stopAll();
  await up?.close();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
