/**
 * The gateway benchmark: the fake upstream direct, through the bare Node floor proxy and through
 * `lf serve`, then stream chunk forwarding, CLI start-up and, with --profile, where lf spends its CPU.
 * See bench/README.md.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, resolve } from "node:path";
import { PATHS, ROOT, startUpstreams, type Upstreams } from "./bench-setup.js";
import { BENCH_MODELS, UPSTREAM_MODEL } from "./bench-project.js";
import { ChildProcesses } from "./child-processes.js";
import { runChunkStreams } from "./chunk-run.js";
import { measureCli } from "./cli-section.js";
import { lfServeMissing, startLfServe, type LfServer } from "./lf-serve.js";
import { runLoadPoint, type LoadTarget } from "./load-point.js";
import { parseOptions, type BenchOptions } from "./options.js";
import { startPostgresLf, type PostgresLf } from "./postgres-target.js";
import { startTracedLf, type TracedLf } from "./traced-target.js";
import { profileLf } from "./profile-section.js";
import { formatReport } from "./report.js";
import type { BenchResults, TargetName } from "./results.js";
import { RssSampler } from "./rss-sampler.js";
import { checkTargets } from "./targets.js";

const options = parseOptions(process.argv.slice(2), process.env);
const children = new ChildProcesses();
const deadline = setTimeout(() => {
  process.stderr.write(`bench: still running after ${options.deadlineS} s, giving up\n`);
  children.killAllNow();
  process.exit(3);
}, options.deadlineS * 1000);
deadline.unref();

const results: Omit<BenchResults, "targets" | "finishedAt"> = {
  startedAt: new Date().toISOString(),
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "unknown", node: process.version, loadavgStart: loadavg(), loadavgEnd: [], totalMemMb: Math.round(totalmem() / 2 ** 20) },
  options,
  load: [],
  chunks: [],
  cli: { notes: [] },
  errors: [],
};

let upstreams: Upstreams | undefined;
try {
  const up = await startUpstreams(children, options);
  upstreams = up;
  const missing = await lfServeMissing(PATHS.cliBin);
  let lf: LfServer | undefined;
  if (missing) results.lfUnavailable = missing;
  else lf = await section("start lf serve", () => startLfServe(children, { cliBin: PATHS.cliBin, project: up.project, port: up.lfPort }));
  if (!missing && !lf) results.lfUnavailable = "lf serve did not start (see errors)";
  let pg: PostgresLf | undefined;
  if (lf && options.postgres) {
    pg = await section("start lf serve with the PostgreSQL ledger", () => startPostgresLf(children, PATHS.cliBin, { fake: up.fake, stamped: up.stamped, arrival: up.arrival.url }, up.project.env));
  }
  let traced: TracedLf | undefined;
  if (lf && options.tracing) {
    traced = await section("start lf serve with tracing on", () => startTracedLf(children, PATHS.cliBin, PATHS.sinkCli, { fake: up.fake, stamped: up.stamped, arrival: up.arrival.url }, up.project.env));
  }
  await section("load", () => measureLoad(up, lf, pg?.lf, traced?.lf, options));
  if (traced) results.tracedExports = await section("stop lf serve with tracing on", () => traced!.close());
  if (pg) {
    results.postgresLedger = await section("PostgreSQL ledger", async () => {
      // Its rows ship in the background: give the last batch a moment before counting.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return pg!.ledger();
    });
    await section("stop lf serve with the PostgreSQL ledger", () => pg!.close());
  }
  await section("stream chunks", () => measureChunks(up, lf, options));
  await section("cli start-up", () => measureCli(children, up, options.cliRuns, results.cli, (what, error) => results.errors.push(`${what}: ${describe(error)}`)));
  if (lf) await children.stop(lf.child);
  if (options.profile && !missing) {
    results.profile = await section("profile", () => profileLf(children, up, options, `${ROOT}/dist/bench/profiles`));
  }
} catch (error) {
  results.errors.push(describe(error));
} finally {
  await children.stopAll();
  await upstreams?.close().catch(() => undefined);
}

const finished = { ...results, finishedAt: new Date().toISOString(), machine: { ...results.machine, loadavgEnd: loadavg() } };
const final: BenchResults = { ...finished, targets: checkTargets(finished) };
process.stdout.write(`\n${formatReport(final)}\n`);
if (options.json) {
  const out = resolve(ROOT, options.out);
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(final, null, 2)}\n`);
  process.stdout.write(`\nJSON: ${out}\n`);
}
clearTimeout(deadline);
process.exitCode = final.errors.length > 0 ? 1 : 0;

async function measureLoad(up: Upstreams, lf: LfServer | undefined, lfPg: LfServer | undefined, lfTraced: LfServer | undefined, opts: BenchOptions): Promise<void> {
  const targets: [TargetName, LoadTarget][] = [
    ["direct", { url: `${up.fake}/v1/chat/completions`, model: UPSTREAM_MODEL, pid: up.pids.fake }],
    ["floor", { url: `${up.floor}/v1/chat/completions`, model: UPSTREAM_MODEL, pid: up.pids.floor }],
  ];
  if (lf) targets.push(["lf", { url: lf.chatUrl, model: BENCH_MODELS.load, pid: lf.child.process.pid! }]);
  // The same server through Anthropic's Messages API, right after its chat completions.
  if (lf) targets.push(["lf-messages", { url: lf.messagesUrl, wire: "messages", model: BENCH_MODELS.load, pid: lf.child.process.pid! }]);
  // The same server again, on a model whose answers come from its response cache after the first.
  if (lf) targets.push(["lf-cache-hit", { url: lf.chatUrl, model: BENCH_MODELS.cached, pid: lf.child.process.pid! }]);
  if (lfPg) targets.push(["lf-pg", { url: lfPg.chatUrl, model: BENCH_MODELS.load, pid: lfPg.child.process.pid! }]);
  if (lfTraced) targets.push(["lf-traced", { url: lfTraced.chatUrl, model: BENCH_MODELS.load, pid: lfTraced.child.process.pid! }]);
  const points = [...opts.connections.map((c) => ({ connections: c, stream: false })), { connections: opts.streamConnections, stream: true }];
  const rss = lf ? new RssSampler(lf.child.process.pid!) : undefined;
  const idleMb = rss?.sample() ?? 0;
  // The floor's memory under the same load, for reading lf's against.
  const floorRss = new RssSampler(up.pids.floor);
  const floorIdleMb = floorRss.sample() ?? 0;
  const biggest = Math.max(...opts.connections);
  // Points outermost, so the three targets of one point run back to back under the same machine load.
  for (const point of points) {
    for (const [name, target] of targets) {
      log(`${name} ${point.stream ? "stream" : "json"} c=${point.connections}`);
      const biggestJson = !point.stream && point.connections === biggest;
      const sampled = biggestJson ? (name === "lf" ? rss : name === "floor" ? floorRss : undefined) : undefined;
      sampled?.start();
      const result = await runLoadPoint(target, { ...point, durationS: opts.durationS, warmupS: opts.warmupS });
      sampled?.stop();
      results.load.push({ target: name, ...point, result });
      if (sampled) {
        await new Promise((r) => setTimeout(r, 1000));
        const figures = { connections: point.connections, peakMb: sampled.peakMb, afterMb: sampled.sample() ?? 0, samples: sampled.samples };
        if (name === "lf") results.lfRss = { ...figures, idleMb };
        else results.floorRss = { ...figures, idleMb: floorIdleMb };
      }
    }
  }
}

async function measureChunks(up: Upstreams, lf: LfServer | undefined, opts: BenchOptions): Promise<void> {
  const targets: [TargetName, string, string][] = [
    ["direct", `${up.stamped}/v1/chat/completions`, UPSTREAM_MODEL],
    ["floor", `${up.stampedFloor}/v1/chat/completions`, UPSTREAM_MODEL],
  ];
  if (lf) targets.push(["lf", lf.chatUrl, BENCH_MODELS.stamped]);
  for (const [name, url, model] of targets) {
    log(`${name} stream chunks`);
    results.chunks.push(await runChunkStreams(name, url, model, opts.streams, opts.chunks));
  }
}

async function section<T>(name: string, work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    results.errors.push(`${name}: ${describe(error)}`);
    log(`${name} failed: ${describe(error)}`);
    return undefined;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}
