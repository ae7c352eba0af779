import { parseArgs } from "node:util";

export interface BenchOptions {
  quick: boolean;
  /** Seconds measured per load point. */
  durationS: number;
  /** Seconds of load before each point, not measured. */
  warmupS: number;
  /** Non-streaming concurrency levels; streaming runs at `streamConnections`. */
  connections: number[];
  streamConnections: number;
  /** Streams read one after another for the chunk-forwarding figure. */
  streams: number;
  chunks: number;
  chunkDelayMs: number;
  /** Spawns per CLI start-up figure. */
  cliRuns: number;
  profile: boolean;
  /** Also measure lf with its usage ledger in PostgreSQL (started by the benchmark); default true. */
  postgres: boolean;
  /** Also measure lf with tracing on, exporting to a sink the benchmark starts; default true. */
  tracing: boolean;
  json: boolean;
  out: string;
  /** Stops everything after this many seconds, whatever state it is in. */
  deadlineS: number;
}

export const USAGE = `npm run bench -- [--quick] [--json] [--out FILE] [--profile] [--skip-postgres] [--skip-tracing] [--duration S] [--warmup S]
  [--connections 1,16,64] [--stream-connections 16] [--streams N] [--chunks N] [--chunk-delay-ms N] [--cli-runs N]
Environment: BENCH_DURATION, BENCH_WARMUP (seconds) set the same as the flags.`;

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      out: { type: "string", default: "dist/bench/results.json" },
      profile: { type: "boolean", default: false },
      "skip-postgres": { type: "boolean", default: false },
      "skip-tracing": { type: "boolean", default: false },
      duration: { type: "string" },
      warmup: { type: "string" },
      connections: { type: "string", default: "1,16,64" },
      "stream-connections": { type: "string", default: "16" },
      streams: { type: "string" },
      chunks: { type: "string", default: "50" },
      "chunk-delay-ms": { type: "string", default: "10" },
      "cli-runs": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const quick = values.quick;
  const durationS = seconds("duration", values.duration ?? env.BENCH_DURATION ?? (quick ? "1.5" : "8"));
  const warmupS = seconds("warmup", values.warmup ?? env.BENCH_WARMUP ?? (quick ? "0.5" : "2"));
  const connections = values.connections.split(",").map((c) => whole("connections", c));
  const streams = whole("streams", values.streams ?? (quick ? "3" : "10"));
  const cliRuns = whole("cli-runs", values["cli-runs"] ?? (quick ? "3" : "10"));
  const points = connections.length + 1;
  return {
    quick,
    durationS,
    warmupS,
    connections,
    streamConnections: whole("stream-connections", values["stream-connections"]),
    streams,
    chunks: whole("chunks", values.chunks),
    chunkDelayMs: whole("chunk-delay-ms", values["chunk-delay-ms"]),
    cliRuns,
    profile: values.profile,
    postgres: !values["skip-postgres"],
    tracing: !values["skip-tracing"],
    json: values.json,
    out: values.out,
    // Six targets times every point, the profiled pass, the streams and the CLI spawns, with room to spare.
    deadlineS: Math.ceil(7 * points * (durationS + warmupS + 2) + 200),
  };
}

function seconds(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 600) throw new Error(`--${name} must be seconds between 0 and 600, not ${value}`);
  return n;
}

function whole(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new Error(`--${name} must be a whole number from 1, not ${value}`);
  return n;
}
