import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UsageLedger, emptySummary, parseUsageQuery, usageReport } from "../../runtime/usage/index.js";
import { ManualClock } from "../helpers/manual-clock.js";
import { repoRoot } from "../helpers/run-cli.js";
import { record } from "./support/project.js";

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 15, 12);
const open: UsageLedger[] = [];

function ledgerAt(file = join(mkdtempSync(join(tmpdir(), "lf-ledger-")), ".lf", "usage.db"), clock = new ManualClock(T0), retentionDays?: number) {
  const ledger = UsageLedger.open(file, { clock, ...(retentionDays === undefined ? {} : { retentionDays }) });
  open.push(ledger);
  return { ledger, file, clock };
}

afterEach(() => {
  for (const ledger of open.splice(0)) ledger.close();
});

describe("UsageLedger", () => {
  it("keeps every field of a record", () => {
    const { ledger } = ledgerAt();
    const full = record({ at: T0, estimated: true, costUsd: undefined, ttftMs: undefined, outcome: "error", errorCode: "provider_timeout", fallbackDepth: 2, sessionId: "s1" });
    ledger.insert(full);
    expect(ledger.records({ since: 0, until: Infinity })).toEqual([full]);
  });

  it("commits appended rows within 100 ms, many per statement, every field intact and in order", async () => {
    const { ledger, file } = ledgerAt();
    const rows = Array.from({ length: 70 }, (_, i) =>
      record({ at: T0 + i, latencyMs: i, sessionId: i % 2 === 0 ? `s${i}` : undefined, costUsd: i % 3 === 0 ? undefined : i / 1000, estimated: i % 5 === 0 }),
    );
    for (const row of rows) ledger.append(row);
    // Another connection sees nothing until the commit, then every row.
    const reader = UsageLedger.open(file);
    open.push(reader);
    expect(reader.records({ since: 0, until: Infinity })).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(reader.records({ since: 0, until: Infinity })).toEqual(rows);
    // A read on the writing ledger commits at once.
    ledger.append(record({ at: T0 + 100, latencyMs: 100 }));
    expect(ledger.records({ since: 0, until: Infinity })).toHaveLength(71);
  });

  it("summarizes by model, day and session: calls, failures, fallbacks, percentiles, tokens, cost", () => {
    const { ledger } = ledgerAt();
    // smart: 20 successful calls with latencies 10..200, one failure, two served as a fallback.
    for (let i = 1; i <= 20; i++) ledger.insert(record({ at: T0 + i, latencyMs: i * 10, fallbackDepth: i <= 2 ? 1 : 0, sessionId: "a" }));
    ledger.insert(record({ at: T0 + DAY, outcome: "error", errorCode: "all_models_failed", servedModel: undefined, costUsd: 0, inputTokens: 0, outputTokens: 0, latencyMs: 5000, sessionId: "b" }));
    ledger.insert(record({ at: T0 + DAY + 1, servedModel: "fast", provider: "ollama", costUsd: 0, latencyMs: 40, estimated: true }));

    const byModel = ledger.summarize({ since: T0, until: T0 + 2 * DAY }, "model");
    expect(byModel.map((r) => r.key)).toEqual(["smart", "fast"]);
    expect(byModel[0]).toEqual({
      key: "smart",
      calls: 21,
      failures: 1,
      fallbacks: 2,
      p50LatencyMs: 100,
      p95LatencyMs: 190,
      inputTokens: 2000,
      outputTokens: 1000,
      estimatedCalls: 0,
      costUsd: expect.closeTo(0.02, 10),
      unpricedCalls: 0,
    });
    expect(byModel[1]).toMatchObject({ calls: 1, p50LatencyMs: 40, p95LatencyMs: 40, estimatedCalls: 1, costUsd: 0 });

    const byDay = ledger.summarize({ since: T0, until: T0 + 2 * DAY }, "day");
    expect(byDay.map((r) => [r.key, r.calls])).toEqual([["2025-01-15", 20], ["2025-01-16", 2]]);
    const bySession = ledger.summarize({ since: T0, until: T0 + 2 * DAY }, "session");
    expect(bySession.map((r) => [r.key, r.calls])).toEqual([["a", 20], ["b", 1], ["", 1]]);
    expect(ledger.total({ since: T0, until: T0 + 2 * DAY })).toMatchObject({ key: "all", calls: 22, failures: 1 });
  });

  it("reports the period asked for, and models side by side", async () => {
    const { ledger } = ledgerAt();
    ledger.insert(record({ at: T0 - 8 * DAY }));
    ledger.insert(record({ at: T0 - DAY, latencyMs: 300 }));
    ledger.insert(record({ at: T0 - 1000, servedModel: "fast", costUsd: 0, latencyMs: 30 }));
    const week = await usageReport(ledger, parseUsageQuery({ since: "7d" }, T0));
    expect(week.totals.calls).toBe(2);
    const ab = await usageReport(ledger, parseUsageQuery({ since: "7d", compare: "fast,smart,absent" }, T0));
    expect(ab.compare).toEqual(["fast", "smart", "absent"]);
    expect(ab.rows.map((r) => [r.key, r.calls, r.p50LatencyMs])).toEqual([["fast", 1, 30], ["smart", 1, 300], ["absent", 0, null]]);
    expect(ab.rows[2]).toEqual(emptySummary("absent"));
  });

  it("survives closing and opening again, and prunes rows past retention when opened", () => {
    const { ledger, file, clock } = ledgerAt();
    ledger.insert(record({ at: T0 - 40 * DAY }));
    ledger.insert(record({ at: T0 - 10 * DAY }));
    ledger.close();
    const again = ledgerAt(file, clock).ledger;
    expect(again.records({ since: 0, until: Infinity })).toHaveLength(2);
    again.close();
    const pruned = ledgerAt(file, clock, 30).ledger;
    expect(pruned.records({ since: 0, until: Infinity }).map((r) => r.at)).toEqual([T0 - 10 * DAY]);
  });

  it("keeps the rows a killed process wrote", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "lf-killed-")), ".lf", "usage.db");
    await writeThenKill(file, "insert");
    const { ledger } = ledgerAt(file);
    expect(ledger.records({ since: 0, until: Infinity }).map((r) => r.latencyMs)).toEqual([100, 101, 102, 103, 104]);
  });

  it("keeps the rows a killed process appended, committed or not, exactly once", async () => {
    for (const waitMs of [0, 300]) {
      // 0: killed before its 100 ms commit, the rows only in its journal; 300: killed after it.
      const file = join(mkdtempSync(join(tmpdir(), "lf-killed-")), ".lf", "usage.db");
      await writeThenKill(file, "append", waitMs);
      const first = ledgerAt(file).ledger;
      const second = ledgerAt(file).ledger;
      expect(first.records({ since: 0, until: Infinity }).map((r) => r.latencyMs)).toEqual([100, 101, 102, 103, 104]);
      expect(second.records({ since: 0, until: Infinity })).toHaveLength(5);
      // Recovered journals are gone; the open ledgers have not written any yet.
      expect(readdirSync(join(dirname(file), "usage.journal"))).toEqual([]);
    }
  });

  it("never takes the journal of a ledger still open in this process", () => {
    const { ledger, file } = ledgerAt();
    ledger.append(record({ at: T0, latencyMs: 7 }));
    const reader = ledgerAt(file).ledger;
    expect(readdirSync(join(dirname(file), "usage.journal"))).toHaveLength(1);
    ledger.flush();
    expect(reader.records({ since: 0, until: Infinity }).map((r) => r.latencyMs)).toEqual([7]);
  });
});

async function writeThenKill(file: string, how: "insert" | "append", waitMs = 0): Promise<void> {
  const child = spawn(process.execPath, ["--import", "./test/helpers/register-ts-loader.mjs", "test/usage/child/write-usage.ts", file, "5", how], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      if (out.includes("written 5")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`the writer exited (${code}) before writing:\n${out}\n${err}`)));
  });
  if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
  const exited = new Promise((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
  child.kill("SIGKILL");
  expect(await exited).toBe("SIGKILL");
}

describe("parseUsageQuery", () => {
  it("reads durations, dates, ISO times and URL parameters", () => {
    expect(parseUsageQuery({}, T0)).toEqual({ since: T0 - 7 * DAY, until: T0, by: "model" });
    expect(parseUsageQuery({ since: "24h", by: "day" }, T0)).toMatchObject({ since: T0 - DAY, by: "day" });
    expect(parseUsageQuery({ since: "2025-01-01" }, T0).since).toBe(Date.UTC(2025, 0, 1));
    expect(parseUsageQuery({ since: "2025-01-10T06:00:00Z", until: "2025-01-11" }, T0)).toMatchObject({ since: Date.UTC(2025, 0, 10, 6), until: Date.UTC(2025, 0, 11) });
    expect(parseUsageQuery(new URLSearchParams("since=30m&by=session&compare=a,b"), T0)).toEqual({ since: T0 - 1_800_000, until: T0, by: "session", compare: ["a", "b"] });
  });

  it("says what is wrong with a bad value", () => {
    expect(() => parseUsageQuery({ since: "last week" }, T0)).toThrow(/since must be a duration/);
    expect(() => parseUsageQuery({ by: "hour" }, T0)).toThrow(/by must be one of model, day, session/);
    expect(() => parseUsageQuery({ compare: "a" }, T0)).toThrow(/two or more model names/);
    expect(() => parseUsageQuery({ since: "2025-02-01" }, T0)).toThrow(/The period is empty/);
  });
});
