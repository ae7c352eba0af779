import type { ProfileSummary } from "./cpu-profile.js";
import type { LoadResult } from "./load-point.js";
import type { BenchOptions } from "./options.js";
import type { Summary } from "./stats.js";

/**
 * `lf-messages`: the same lf serve through Anthropic's Messages route (`/v1/messages`), beside its chat
 * completions. `lf-pg`: a second lf serve whose usage ledger is PostgreSQL (`usage.database_url`).
 * `lf-traced`: a second lf serve with tracing on (`telemetry.otlp_endpoint`), exporting to a sink.
 */
export type TargetName = "direct" | "floor" | "lf" | "lf-messages" | "lf-cache-hit" | "lf-pg" | "lf-traced";

export interface LoadRow {
  target: TargetName;
  connections: number;
  stream: boolean;
  result: LoadResult;
}

export interface ChunkRow {
  target: TargetName;
  /** Per-chunk delay from the fake's write to the client's read, ms. */
  delay: Summary;
  /** From sending the request to the first chunk's arrival, ms. */
  firstChunk: Summary;
  /** The first chunk's own forwarding delay, ms. */
  firstDelay: Summary;
}

export interface CliFigures {
  validate?: Summary;
  version?: Summary;
  /** Spawn of `lf chat` to its request reaching the upstream, ms. */
  chatToUpstream?: Summary;
  hyperfine?: { text: string; results: { label: string; medianMs: number; meanMs: number; stddevMs: number }[] };
  notes: string[];
}

export interface TargetCheck {
  label: string;
  goal: string;
  value: number | undefined;
  unit: string;
  pass: boolean | undefined;
}

export interface BenchResults {
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; cpuModel: string; node: string; loadavgStart: number[]; loadavgEnd: number[]; totalMemMb: number };
  options: BenchOptions;
  /** Why lf was not measured, when it was not. */
  lfUnavailable?: string;
  load: LoadRow[];
  lfRss?: { connections: number; idleMb: number; peakMb: number; afterMb: number; samples: number };
  /** The floor's, under the same load: what any Node gateway holds, for reading lf's against. */
  floorRss?: { connections: number; idleMb: number; peakMb: number; afterMb: number; samples: number };
  chunks: ChunkRow[];
  /** The lf-pg instance's ledger after its load: rows in PostgreSQL, rows still waiting locally. */
  postgresLedger?: { shipped: number; waiting: number | undefined };
  /** What the lf-traced instance exported over its run, counted by the sink. */
  tracedExports?: { exports: number; spans: number };
  cli: CliFigures;
  profile?: ProfileSummary & { file: string; rps: number };
  targets: TargetCheck[];
  errors: string[];
}
