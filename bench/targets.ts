import type { BenchResults, LoadRow, TargetCheck } from "./results.js";

/** The goals lf is held to, each read from the figures of one run. */
export function checkTargets(results: Omit<BenchResults, "targets">): TargetCheck[] {
  const load = (target: LoadRow["target"], connections: number, stream = false) =>
    results.load.find((row) => row.target === target && row.connections === connections && row.stream === stream)?.result;
  const lf16 = load("lf", 16);
  const messages16 = load("lf-messages", 16);
  const floor16 = load("floor", 16);
  const lf1 = load("lf", 1);
  const direct1 = load("direct", 1);
  const lfChunks = results.chunks.find((row) => row.target === "lf");
  const pg16 = load("lf-pg", 16);
  const traced16 = load("lf-traced", 16);
  const validate = results.cli.hyperfine?.results.find((r) => r.label === "lf validate")?.medianMs ?? results.cli.validate?.p50;
  return [
    check("rps at c=16, lf / floor", "≥ 70%", lf16 && floor16 ? (100 * lf16.rps) / floor16.rps : undefined, "%", (v) => v >= 70),
    check("rps at c=16, /v1/messages / chat completions", "≥ 90%", messages16 && lf16 ? (100 * messages16.rps) / lf16.rps : undefined, "%", (v) => v >= 90),
    check("p50 added at c=1, lf − direct", "≤ 0.3 ms", lf1 && direct1 ? lf1.p50 - direct1.p50 : undefined, "ms", (v) => v <= 0.3),
    check("stream chunk forwarded by lf, p50", "≤ 1 ms", lfChunks?.delay.p50, "ms", (v) => v <= 1),
    check(`lf resident memory, peak at c=${results.lfRss?.connections ?? 64}`, "< 150 MB", results.lfRss?.peakMb, "MB", (v) => v < 150),
    check("lf validate, median", "< 150 ms", validate, "ms", (v) => v < 150),
    check("lf chat to upstream, p50", "< 300 ms", results.cli.chatToUpstream?.p50, "ms", (v) => v < 300),
    check(
      "cpu per request at c=16, PostgreSQL ledger / SQLite",
      "≤ 110%",
      pg16?.cpuUsPerRequest !== undefined && lf16?.cpuUsPerRequest !== undefined ? (100 * pg16.cpuUsPerRequest) / lf16.cpuUsPerRequest : undefined,
      "%",
      (v) => v <= 110,
    ),
    check("rps at c=16, tracing on / off", "≥ 90%", traced16 && lf16 ? (100 * traced16.rps) / lf16.rps : undefined, "%", (v) => v >= 90),
  ];
}

function check(label: string, goal: string, value: number | undefined, unit: string, meets: (value: number) => boolean): TargetCheck {
  const known = value !== undefined && Number.isFinite(value);
  return { label, goal, value: known ? value : undefined, unit, pass: known ? meets(value) : undefined };
}
