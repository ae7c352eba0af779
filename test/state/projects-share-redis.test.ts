import { writeFileSync } from "node:fs";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { eventually, startTestServer, tempDir, writeProject, type TestServer } from "../server/support.js";
import { RedisServer } from "./support/redis-server.js";

let redis: RedisServer;
let fake: FakeProvider;
let server: TestServer;
let alphaFile: string;

/** Every `lf init` project has a `local` and a `cloud`: two projects with the same model names on one Redis. */
function project(name: string, redisUrl: string, cloudModel: string): string {
  return `version: v1
name: ${name}
namespace: shared
state: { redis_url: "${redisUrl}" }
runtime:
  default_model: local
  retries: { max_attempts: 1 }
  circuit_breaker: { failure_threshold: 2, cooldown: 60s }
  models:
    - name: local
      provider: openai
      model: gpt-local
      base_url: ${fake.url}/v1
      api_key: test-key
      limits: { rpm: 3 }
    - name: cloud
      provider: openai
      model: ${cloudModel}
      base_url: ${fake.url}/v1
      api_key: test-key
`;
}

beforeAll(async () => {
  redis = await RedisServer.start();
  fake = await startFakeProvider();
  fake.always("gpt-dead", { fault: "status", status: 500, message: "down" });
  alphaFile = await writeProject(tempDir(), project("alpha", redis.url, "gpt-dead"));
  const betaFile = await writeProject(tempDir(), project("beta", redis.url, "gpt-cloud"));
  server = await startTestServer([alphaFile, betaFile], { level: "info", debounceMs: 20 });
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
  await redis?.stop();
});

async function ask(projectName: string, model: string): Promise<{ status: number; code: string | undefined }> {
  const response = await fetch(`${server.url}/v1/projects/shared/${projectName}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });
  const body = (await response.json()) as { error?: { code: string } };
  return { status: response.status, code: body.error?.code };
}

describe("two projects on one redis-server", () => {
  it("keep their own breakers, rpm windows and latency figures, though their models have the same names", async () => {
    // alpha's dead cloud opens alpha's breaker...
    expect((await ask("alpha", "cloud")).status).toBe(502);
    expect((await ask("alpha", "cloud")).status).toBe(502);
    expect(await ask("alpha", "cloud")).toMatchObject({ status: 503 });
    // ...and beta's healthy cloud answers.
    expect((await ask("beta", "cloud")).status).toBe(200);

    // alpha spends its rpm of 3 on local; beta's window of the same name is untouched.
    for (let i = 0; i < 3; i++) expect((await ask("alpha", "local")).status).toBe(200);
    expect(await ask("alpha", "local")).toMatchObject({ status: 429, code: "rate_limited" });
    for (let i = 0; i < 3; i++) expect((await ask("beta", "local")).status).toBe(200);

    // The key layout: every counter is named by namespace, project and model.
    const client = new Redis(redis.url);
    try {
      const keys = (await client.keys("lf:*")).sort();
      expect(keys.some((k) => k.includes("breaker:shared/alpha/cloud#"))).toBe(true);
      expect(keys.some((k) => k.includes("rpm:shared/alpha/local"))).toBe(true);
      expect(keys.some((k) => k.includes("rpm:shared/beta/local"))).toBe(true);
      expect(keys.some((k) => k.includes("latency:shared/beta/cloud#"))).toBe(true);
      expect(keys.filter((k) => !/shared\/(alpha|beta)\//.test(k))).toEqual([]);
    } finally {
      client.disconnect();
    }
  });

  it("gives a model whose definition changed a fresh breaker: fixing alpha's cloud URL serves at once", async () => {
    expect(await ask("alpha", "cloud")).toMatchObject({ status: 503 });
    writeFileSync(alphaFile, project("alpha", redis.url, "gpt-cloud"));
    await eventually(async () => expect((await ask("alpha", "cloud")).status).toBe(200), 5_000);
  });
});
