import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { readLedger } from "../helpers/read-ledger.js";
import { runCli } from "../helpers/run-cli.js";
import { eventually, startTestServer, TEST_ENV, tempDir, writeProject, type TestServer } from "../server/support.js";

const ADMIN = "keys-admin-0123456789";
const FRUGAL = "keys-frugal-0123456789";
const NARROW = "keys-narrow-0123456789";
const PACED = "keys-paced-0123456789";
const OLD = "keys-old-0123456789";

let fake: FakeProvider;
let server: TestServer;
let dir: string;
let file: string;

// Each answer: 10 input tokens at $1/1k and 3 output tokens at $2/1k, $0.016.
function yaml(url: string): string {
  return `version: v1
name: keyed
namespace: tests
server:
  api_keys:
    - { key: ${ADMIN}, name: admin }
    - { key: ${FRUGAL}, name: frugal, budget: { daily: 0.02 } }
    - { key: ${NARROW}, name: narrow, projects: [tests/keyed], models: [fast] }
    - { key: ${PACED}, name: paced, rpm: 2 }
    - { key: ${OLD}, name: old, expires: 2001-01-01 }
runtime:
  default_model: fast
  retries: { max_attempts: 1 }
  models:
    - name: fast
      provider: openai
      model: gpt-fast
      base_url: ${url}/v1
      api_key: \${env:LF_TEST_KEY}
      pricing: { input_per_1k: 1, output_per_1k: 2 }
    - name: steady
      provider: openai
      model: gpt-steady
      base_url: ${url}/v1
      api_key: \${env:LF_TEST_KEY}
      pricing: { input_per_1k: 1, output_per_1k: 2 }
`;
}

beforeAll(async () => {
  fake = await startFakeProvider();
  fake.always("gpt-fast", { text: ["one ", "two ", "three"], usage: { inputTokens: 10, outputTokens: 3 } });
  fake.always("gpt-steady", { text: "steady", usage: { inputTokens: 10, outputTokens: 3 } });
  dir = tempDir("lf-keys-");
  file = await writeProject(dir, yaml(fake.url));
  server = await startTestServer([file], { level: "warn" });
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
});

async function chat(key: string, body: Record<string, unknown> = {}): Promise<{ status: number; body: { error?: { code: string; message: string } } }> {
  const response = await fetch(`${server.url}/v1/projects/tests/keyed/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify({ messages: [{ role: "user", content: `hello ${Math.random()}` }], ...body }),
  });
  return { status: response.status, body: (await response.json()) as { error?: { code: string; message: string } } };
}

describe("virtual keys of server.api_keys", () => {
  it("refuses a key over its daily budget with 429 naming the budget", async () => {
    expect((await chat(FRUGAL)).status).toBe(200);
    expect((await chat(FRUGAL)).status).toBe(200);
    const over = await chat(FRUGAL);
    expect(over.status).toBe(429);
    expect(over.body.error?.code).toBe("budget_exceeded");
    expect(over.body.error?.message).toMatch(/API key frugal's daily budget is spent \(\$0\.0320 of \$0\.0200\)/);
    // Other keys are not held back by it.
    expect((await chat(ADMIN)).status).toBe(200);
    // Nor does a restart give it back: the spend is read again from the ledger.
    await server.close();
    server = await startTestServer([file], { level: "warn" });
    expect((await chat(FRUGAL)).body.error?.message).toMatch(/API key frugal's daily budget is spent \(\$0\.0320 of \$0\.0200\)/);
  });

  it("refuses a model the key may not name with 403, and takes the ones it may", async () => {
    expect((await chat(NARROW, { model: "fast" })).status).toBe(200);
    expect((await chat(NARROW)).status).toBe(200);
    const steady = await chat(NARROW, { model: "steady" });
    expect(steady.status).toBe(403);
    expect(steady.body.error).toMatchObject({ code: "model_forbidden", message: expect.stringContaining("may not use model steady") });
  });

  it("holds a key to its own requests per minute", async () => {
    expect((await chat(PACED)).status).toBe(200);
    expect((await chat(PACED)).status).toBe(200);
    const third = await chat(PACED);
    expect(third.status).toBe(429);
    expect(third.body.error?.message).toContain("API key paced is over its limit of 2 requests per minute");
  });

  it("refuses an expired key with 401", async () => {
    const old = await chat(OLD);
    expect(old.status).toBe(401);
    expect(old.body.error).toMatchObject({ code: "expired_api_key", message: expect.stringContaining("expired at 2001-01-01") });
  });

  it("records usage per key, and lf usage --by key adds up to the ledger's total", async () => {
    await eventually(() => expect(readLedger(dir, "SELECT COUNT(*) AS n FROM requests WHERE key_name = 'paced'")[0]!.n).toBe(2));
    const cli = await runCli(["usage", "--project", file, "--by", "key", "--json"], { env: TEST_ENV });
    expect(cli.code, cli.stderr).toBe(0);
    const report = JSON.parse(cli.stdout) as { rows: Array<{ key: string; calls: number; costUsd: number }>; totals: { calls: number; costUsd: number } };
    const byKey = new Map(report.rows.map((row) => [row.key, row]));
    expect([...byKey.keys()].sort()).toEqual(["admin", "frugal", "narrow", "paced"]);
    expect(byKey.get("frugal")).toMatchObject({ calls: 2 });
    expect(report.rows.reduce((sum, row) => sum + row.calls, 0)).toBe(report.totals.calls);
    expect(report.rows.reduce((sum, row) => sum + row.costUsd, 0)).toBeCloseTo(report.totals.costUsd, 10);
    const ledger = readLedger(dir, "SELECT COUNT(*) AS n, TOTAL(cost) AS cost FROM requests")[0]!;
    expect(report.totals.calls).toBe(ledger.n);
    expect(report.totals.costUsd).toBeCloseTo(ledger.cost as number, 10);
    const text = await runCli(["usage", "--project", file, "--by", "key"], { env: TEST_ENV });
    expect(text.stdout).toMatch(/^key\s+calls/m);
  });
});
