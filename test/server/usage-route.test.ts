import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsageLedger, usageLedgerPath, type UsageRecord } from "../../runtime/usage/index.js";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { TEST_ENV, getJson, projectYaml, startTestServer, tempDir, writeProject, type TestServer } from "./support.js";

const ADMIN = "usage-admin-0123456789";
const BETA_ONLY = "usage-beta-0123456789";
const HOUR = 3_600_000;
let fake: FakeProvider;
let server: TestServer;
let alphaDir: string;
let betaDir: string;
const admin = { authorization: `Bearer ${ADMIN}` };

function record(fields: Partial<UsageRecord>): UsageRecord {
  return {
    at: Date.now() - HOUR,
    project: "team/alpha",
    requestedModel: "fast",
    servedModel: "fast",
    provider: "openai",
    inputTokens: 10,
    outputTokens: 5,
    estimated: false,
    costUsd: 0.01,
    latencyMs: 100,
    ttftMs: 20,
    outcome: "ok",
    errorCode: undefined,
    fallbackDepth: 0,
    sessionId: undefined,
    ...fields,
  };
}

const usage = (project: string, query = "", headers: Record<string, string> = admin) => getJson(`${server.url}/v1/projects/${project}/usage${query}`, headers);

beforeAll(async () => {
  Object.assign(TEST_ENV, { LF_USAGE_ADMIN: ADMIN, LF_USAGE_BETA: BETA_ONLY });
  fake = await startFakeProvider();
  const root = tempDir("lf-usage-route-");
  const keys = `server:\n  api_keys:\n    - \${env:LF_USAGE_ADMIN}\n    - { key: "\${env:LF_USAGE_BETA}", projects: [team/beta] }\n`;
  const alpha = await writeProject(join(root, "alpha"), projectYaml(fake.url, { namespace: "team", name: "alpha", server: keys }));
  const beta = await writeProject(join(root, "beta"), projectYaml(fake.url, { namespace: "team", name: "beta" }));
  alphaDir = dirname(alpha);
  betaDir = dirname(beta);

  const ledger = UsageLedger.open(usageLedgerPath(alphaDir));
  ledger.insert(record({ sessionId: "s1" }));
  ledger.insert(record({ latencyMs: 300, sessionId: "s1" }));
  ledger.insert(record({ servedModel: "steady", requestedModel: "chain", fallbackDepth: 1, costUsd: 0.02 }));
  ledger.insert(record({ servedModel: undefined, outcome: "error", errorCode: "all_models_failed", inputTokens: 0, outputTokens: 0, costUsd: 0 }));
  ledger.insert(record({ at: Date.now() - 3 * 24 * HOUR }));
  ledger.insert(record({ project: "someone/else", servedModel: "fast" }));
  ledger.close();

  server = await startTestServer([alpha, beta], { level: "warn" });
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

describe("GET /v1/projects/{namespace}/{project}/usage", () => {
  it("reports the last 7 days by model, for this project only", async () => {
    const { status, body } = await usage("team/alpha");
    expect(status).toBe(200);
    expect(body.by).toBe("model");
    expect(Date.parse(body.until) - Date.parse(body.since)).toBe(7 * 24 * HOUR);
    expect(body.rows.map((r: { key: string; calls: number }) => [r.key, r.calls])).toEqual([
      ["fast", 4],
      ["steady", 1],
    ]);
    expect(body.totals).toMatchObject({ key: "all", calls: 5, failures: 1, fallbacks: 1, inputTokens: 40, outputTokens: 20 });
    expect(body.totals.costUsd).toBeCloseTo(0.05, 10);
  });

  it("takes since, by=day and by=session", async () => {
    const recent = await usage("team/alpha", "?since=24h&by=session");
    expect(recent.body.by).toBe("session");
    const sessions = recent.body.rows.map((r: { key: string; calls: number }) => [r.key, r.calls]);
    expect(sessions.sort()).toEqual([
      ["", 2],
      ["s1", 2],
    ]);
    const days = await usage("team/alpha", "?by=day");
    expect(days.body.rows.length).toBeGreaterThanOrEqual(2);
    expect(days.body.rows.every((r: { key: string }) => /^\d{4}-\d{2}-\d{2}$/.test(r.key))).toBe(true);
    expect(days.body.totals.calls).toBe(5);
  });

  it("compares two models side by side, a model with no calls included", async () => {
    const { body } = await usage("team/alpha", "?compare=steady,fast,local");
    expect(body.compare).toEqual(["steady", "fast", "local"]);
    expect(body.rows.map((r: { key: string; calls: number }) => [r.key, r.calls])).toEqual([
      ["steady", 1],
      ["fast", 4],
      ["local", 0],
    ]);
  });

  it("an empty report for a project that has served nothing yet", async () => {
    const { status, body } = await usage("team/beta", "?compare=fast,steady");
    expect(status).toBe(200);
    expect(body.rows).toEqual([expect.objectContaining({ key: "fast", calls: 0 }), expect.objectContaining({ key: "steady", calls: 0 })]);
    expect(body.totals).toMatchObject({ calls: 0, costUsd: 0 });
  });

  it("records the requests the server answers, in the project's own ledger", async () => {
    fake.script("gpt-fast", { text: "counted", usage: { inputTokens: 7, outputTokens: 3 } });
    const client = server.client("team/beta", { apiKey: BETA_ONLY });
    await client.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "count me" }] });
    expect(existsSync(usageLedgerPath(betaDir))).toBe(true);
    const { body } = await usage("team/beta");
    expect(body.rows).toEqual([expect.objectContaining({ key: "fast", calls: 1, failures: 0, inputTokens: 7, outputTokens: 3 })]);
  });

  it("400 naming the parameter for a bad query", async () => {
    for (const [query, param] of [
      ["?by=week", "by"],
      ["?since=yesterday", "since"],
      ["?until=soon", "until"],
      ["?compare=fast", "compare"],
      ["?since=2000-01-01&until=1999-01-01", "since"],
    ] as const) {
      const { status, body } = await usage("team/alpha", query);
      expect(status, query).toBe(400);
      expect(body.error, query).toMatchObject({ type: "invalid_request_error", code: "invalid_request", param });
    }
  });

  it("follows the API keys: 401 without one, 403 for another project's key, 404 for an unknown project", async () => {
    expect((await usage("team/alpha", "", {})).status).toBe(401);
    const forbidden = await usage("team/alpha", "", { authorization: `Bearer ${BETA_ONLY}` });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error).toMatchObject({ code: "project_forbidden" });
    expect((await usage("team/beta", "", { authorization: `Bearer ${BETA_ONLY}` })).status).toBe(200);
    const missing = await usage("team/gamma");
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: "project_not_found" });
  });
});
