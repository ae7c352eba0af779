import type { BenchResults, ChunkRow, LoadRow, TargetCheck } from "./results.js";
import type { Summary } from "./stats.js";

/** Plain-text tables for the terminal; docs/benchmarks.md is written from the same text. */
export function formatTable(headers: string[], rows: string[][], leftColumns = 1): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i < leftColumns ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  ").trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export function ms(value: number | undefined, digits = 2): string {
  return value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(digits);
}

export function formatLoad(rows: LoadRow[]): string {
  const out: string[][] = [];
  const points = [...new Set(rows.map((row) => `${row.stream ? "stream" : "json"} c=${row.connections}`))];
  for (const point of points) {
    const at = rows.filter((row) => `${row.stream ? "stream" : "json"} c=${row.connections}` === point);
    const direct = at.find((row) => row.target === "direct")?.result;
    const floor = at.find((row) => row.target === "floor")?.result;
    for (const row of at) {
      const r = row.result;
      const added = direct && row.target !== "direct";
      const ratio = row.target.startsWith("lf") && floor ? `${((100 * r.rps) / floor.rps).toFixed(0)}%` : "";
      const cpu = r.cpuUsPerRequest === undefined ? "–" : r.cpuUsPerRequest.toFixed(0);
      out.push([point, row.target, r.rps.toFixed(0), ms(r.p50), ms(r.p99), added ? ms(r.p50 - direct.p50) : "", added ? ms(r.p99 - direct.p99) : "", ratio, cpu, String(r.errors + r.non2xx)]);
    }
  }
  return formatTable(["point", "target", "req/s", "p50 ms", "p99 ms", "+p50 ms", "+p99 ms", "lf/floor", "cpu µs/req", "errors"], out, 2);
}

export function formatChunks(rows: ChunkRow[]): string {
  return formatTable(
    ["target", "chunks", "delay p50 ms", "p99 ms", "max ms", "first chunk p50 ms", "first delay p50 ms"],
    rows.map((row) => [row.target, String(row.delay.count), ms(row.delay.p50, 3), ms(row.delay.p99, 3), ms(row.delay.max, 3), ms(row.firstChunk.p50), ms(row.firstDelay.p50, 3)]),
  );
}

export function formatSummaryRow(label: string, s: Summary | undefined): string[] {
  return [label, String(s?.count ?? 0), ms(s?.mean, 1), ms(s?.p50, 1), ms(s?.max, 1)];
}

export function formatTargets(targets: TargetCheck[]): string {
  return formatTable(
    ["target", "goal", "measured", "met"],
    targets.map((t) => [t.label, t.goal, t.value === undefined ? "not measured" : `${t.value.toFixed(t.unit === "%" || t.unit === "MB" ? 0 : 2)} ${t.unit}`, t.pass === undefined ? "–" : t.pass ? "✓" : "✗"]),
  );
}

export function formatReport(results: BenchResults): string {
  const parts: string[] = [];
  const m = results.machine;
  parts.push(`lf gateway benchmark, ${results.startedAt}: ${m.cpus} cores (${m.cpuModel}), Node ${m.node}, load average ${m.loadavgStart.map((l) => l.toFixed(2)).join(" ")} at start, ${m.loadavgEnd.map((l) => l.toFixed(2)).join(" ")} at end`);
  parts.push(`${results.options.durationS} s per point after ${results.options.warmupS} s of warm-up${results.options.quick ? " (quick mode: a smoke run, not figures to quote)" : ""}`);
  if (results.lfUnavailable) parts.push(`lf not measured: ${results.lfUnavailable}`);
  parts.push(`\nThroughput and latency (+: added over the direct call to the fake; cpu: the answering process's CPU time per request):\n${formatLoad(results.load)}`);
  if (results.lfRss) parts.push(`\nlf resident memory: ${results.lfRss.idleMb.toFixed(0)} MB idle, peak ${results.lfRss.peakMb.toFixed(0)} MB during the json c=${results.lfRss.connections} run, ${results.lfRss.afterMb.toFixed(0)} MB after (${results.lfRss.samples} samples)`);
  if (results.floorRss) parts.push(`floor resident memory: ${results.floorRss.idleMb.toFixed(0)} MB idle, peak ${results.floorRss.peakMb.toFixed(0)} MB during the json c=${results.floorRss.connections} run`);
  if (results.postgresLedger) {
    const { shipped, waiting } = results.postgresLedger;
    parts.push(`lf-pg (usage.database_url set): ${shipped} rows in PostgreSQL after its load, ${waiting ?? "?"} still waiting in its local file`);
  }
  if (results.tracedExports) {
    const { exports, spans } = results.tracedExports;
    parts.push(`lf-traced (telemetry.otlp_endpoint set): ${spans} spans in ${exports} OTLP exports over its load`);
  }
  if (results.chunks.length > 0) parts.push(`\nStream chunk forwarding (${results.options.chunks} chunks, ${results.options.chunkDelayMs} ms apart, ${results.options.streams} streams one at a time):\n${formatChunks(results.chunks)}`);
  const cli = results.cli;
  const cliRows = [formatSummaryRow("lf validate (spawn to exit)", cli.validate), formatSummaryRow("lf --version (spawn to exit)", cli.version), formatSummaryRow("lf chat (spawn to request at upstream)", cli.chatToUpstream)];
  parts.push(`\nCLI start-up, measured in-process:\n${formatTable(["command", "runs", "mean ms", "p50 ms", "max ms"], cliRows)}`);
  if (cli.hyperfine) parts.push(`\nhyperfine:\n${cli.hyperfine.text.trimEnd()}`);
  for (const note of cli.notes) parts.push(note);
  if (results.profile) parts.push(`\n${formatProfile(results.profile)}`);
  parts.push(`\nTargets:\n${formatTargets(results.targets)}`);
  if (results.errors.length > 0) parts.push(`\nErrors:\n${results.errors.map((e) => `- ${e}`).join("\n")}`);
  return parts.join("\n");
}

export function formatProfile(profile: NonNullable<BenchResults["profile"]>): string {
  const fn = formatTable(["self time by function", "ms", "share"], profile.functions.map((f) => [f.name, f.selfMs.toFixed(0), `${(100 * f.share).toFixed(1)}%`]));
  const areas = formatTable(["self time by area", "ms", "share"], profile.areas.map((f) => [f.name, f.selfMs.toFixed(0), `${(100 * f.share).toFixed(1)}%`]));
  const callers = formatTable(["all time, charged to the innermost lf function on the stack", "ms", "share"], profile.lfCallers.map((f) => [f.name, f.selfMs.toFixed(0), `${(100 * f.share).toFixed(1)}%`]));
  return `lf serve CPU profile of the measured json c=16 run (${profile.rps.toFixed(0)} req/s while profiled; busy ${profile.busyMs.toFixed(0)} ms, idle ${profile.idleMs.toFixed(0)} ms; ${profile.file}):\n${areas}\n\n${fn}\n\n${callers}`;
}
