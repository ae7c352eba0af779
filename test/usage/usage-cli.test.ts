import { existsSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { UsageLedger, usageLedgerPath, type UsageReport } from "../../runtime/usage/index.js";
import { runCli } from "../helpers/run-cli.js";
import { TWO_MODELS, projectIn, record } from "./support/project.js";

const HOUR = 3_600_000;
let dir: string;

beforeAll(() => {
  dir = projectIn(TWO_MODELS).dir;
  const now = Date.now();
  const ledger = UsageLedger.open(usageLedgerPath(dir));
  // Within the last day: smart 4 calls (one failed, one a fallback), fast 2; and one row 10 days old.
  ledger.insert(record({ at: now - 2 * HOUR, latencyMs: 100, inputTokens: 1000, outputTokens: 200, costUsd: 0.0045, sessionId: "alpha" }));
  ledger.insert(record({ at: now - 2 * HOUR + 1, latencyMs: 300, inputTokens: 500, outputTokens: 100, costUsd: 0.00225, sessionId: "alpha" }));
  ledger.insert(record({ at: now - HOUR, latencyMs: 200, inputTokens: 0, outputTokens: 0, costUsd: 0, outcome: "error", errorCode: "provider_timeout", sessionId: "beta" }));
  ledger.insert(record({ at: now - HOUR + 1, latencyMs: 50, inputTokens: 100, outputTokens: 10, costUsd: 0.00035, fallbackDepth: 1, sessionId: "beta" }));
  ledger.insert(record({ at: now - HOUR + 2, servedModel: "fast", provider: "ollama", latencyMs: 40, inputTokens: 30, outputTokens: 20, costUsd: 0, estimated: true }));
  ledger.insert(record({ at: now - HOUR + 3, servedModel: "fast", provider: "ollama", latencyMs: 60, inputTokens: 30, outputTokens: 20, costUsd: 0 }));
  ledger.insert(record({ at: now - 10 * 24 * HOUR, latencyMs: 999, costUsd: 1 }));
  ledger.close();
});

async function report(...args: string[]): Promise<UsageReport> {
  const result = await runCli(["usage", "--project", dir, "--json", ...args]);
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as UsageReport;
}

describe("lf usage", () => {
  it("reports per model what the ledger holds for the period", async () => {
    const byModel = await report("--since", "24h");
    expect(byModel.by).toBe("model");
    expect(byModel.rows).toEqual([
      {
        key: "smart",
        calls: 4,
        failures: 1,
        fallbacks: 1,
        p50LatencyMs: 100,
        p95LatencyMs: 300,
        inputTokens: 1600,
        outputTokens: 310,
        estimatedCalls: 0,
        costUsd: expect.closeTo(0.0071, 10),
        unpricedCalls: 0,
      },
      { key: "fast", calls: 2, failures: 0, fallbacks: 0, p50LatencyMs: 40, p95LatencyMs: 60, inputTokens: 60, outputTokens: 40, estimatedCalls: 1, costUsd: 0, unpricedCalls: 0 },
    ]);
    expect(byModel.totals).toMatchObject({ calls: 6, failures: 1, inputTokens: 1660 });
    expect((await report("--since", "30d")).totals.calls).toBe(7);
  });

  it("groups by day and session, and compares models side by side", async () => {
    const bySession = await report("--since", "1d", "--by", "session");
    expect(bySession.rows.map((r) => [r.key, r.calls])).toEqual([["alpha", 2], ["beta", 2], ["", 2]]);
    const byDay = await report("--by", "day");
    expect(byDay.rows.reduce((sum, r) => sum + r.calls, 0)).toBe(6);
    const ab = await report("--since", "24h", "--compare", "fast,smart");
    expect(ab.compare).toEqual(["fast", "smart"]);
    expect(ab.rows.map((r) => [r.key, r.calls, r.p95LatencyMs])).toEqual([["fast", 2, 60], ["smart", 4, 300]]);
  });

  it("prints a table on a terminal", async () => {
    const table = await runCli(["usage", "--project", dir, "--since", "24h"]);
    expect(table.code).toBe(0);
    const lines = table.stdout.split("\n");
    expect(lines[0]).toMatch(/^model\s+calls\s+failed\s+fallbacks\s+p50\s+p95\s+tokens in\s+tokens out\s+cost$/);
    expect(lines[1]).toMatch(/^smart\s+4\s+1\s+1\s+100ms\s+300ms\s+1,600\s+310\s+\$0\.0071$/);
    expect(lines[2]).toMatch(/^fast\s+2\s+0\s+0\s+40ms\s+60ms\s+60\s+40\s+\$0\.0000~$/);
    expect(lines[3]).toMatch(/^total\s+6\s+1\s+1\s/);
    const ab = await runCli(["usage", "--project", dir, "--since", "24h", "--compare", "smart,fast"]);
    expect(ab.stdout).toMatch(/^\s+smart\s+fast\n/);
    expect(ab.stdout).toMatch(/failure rate\s+25\.0%\s+0\.0%/);
  });

  it("answers an empty report for a project that has served nothing, without creating a ledger", async () => {
    const empty = projectIn(TWO_MODELS).dir;
    const result = await runCli(["usage", "--project", empty, "--json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ rows: [], totals: { calls: 0 } });
    expect(existsSync(usageLedgerPath(empty))).toBe(false);
  });

  it("exits 2 with the reason for a bad option", async () => {
    const result = await runCli(["usage", "--project", dir, "--since", "yesterday"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/since must be a duration back from now/);
  });
});
