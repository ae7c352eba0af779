import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { runCli } from "../helpers/run-cli.js";
import { eventually, startTestServer, TEST_ENV, tempDir, writeProject, type TestServer } from "../server/support.js";
import { RedisServer } from "../state/support/redis-server.js";

let redis: RedisServer;
let fake: FakeProvider;

function yaml(url: string, state = ""): string {
  return `version: v1
name: stored
namespace: tests
${state}
runtime:
  retries: { max_attempts: 1 }
  models:
    - name: fast
      provider: openai
      model: gpt-fast
      base_url: ${url}/v1
      api_key: \${env:LF_TEST_KEY}
      pricing: { input_per_1k: 1, output_per_1k: 2 }
`;
}

async function chat(server: TestServer, key: string | undefined): Promise<{ status: number; code: string | undefined }> {
  const response = await fetch(`${server.url}/v1/projects/tests/stored/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key === undefined ? {} : { authorization: `Bearer ${key}` }) },
    body: JSON.stringify({ messages: [{ role: "user", content: "hi" }] }),
  });
  const body = (await response.json()) as { error?: { code: string } };
  return { status: response.status, code: body.error?.code };
}

async function lf(...args: string[]) {
  const result = await runCli(args, { env: TEST_ENV });
  expect(result.code, result.stderr).toBe(0);
  return result;
}

beforeAll(async () => {
  [redis, fake] = await Promise.all([RedisServer.start(), startFakeProvider()]);
  fake.always("gpt-fast", "stored answer");
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([fake?.close(), redis?.stop()]);
});

describe("lf keys in the state: Redis, over two instances", () => {
  const servers: TestServer[] = [];
  const files: string[] = [];

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) files.push(await writeProject(tempDir("lf-keys-redis-"), yaml(fake.url, `state:\n  redis_url: ${redis.url}\n  key_prefix: "lf-keys-test:"`)));
  });

  afterAll(async () => {
    await Promise.allSettled(servers.map((s) => s.close()));
  });

  it("shows a key once, keeps only its digest, and a revoked key gets 401 on both instances at once", async () => {
    const created = await lf("keys", "create", "ops", "--project", files[0]!, "--daily", "5");
    const key = created.stdout.trim();
    expect(key).toMatch(/^lf-[A-Za-z0-9_-]{40,}$/);
    expect(created.stderr).toContain("shown this once");

    for (const file of files) servers.push(await startTestServer([file], { level: "warn" }));
    for (const server of servers) {
      expect(await chat(server, key)).toEqual({ status: 200, code: undefined });
      expect((await chat(server, undefined)).code).toBe("missing_api_key");
      expect((await chat(server, "lf-not-a-key")).code).toBe("invalid_api_key");
    }

    // Listed from the other instance's folder: the same store, and never the key itself.
    const listed = await lf("keys", "list", "--project", files[1]!, "--json");
    expect(listed.stdout).not.toContain(key);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ name: "ops", projects: ["tests/stored"], budget: { daily: 5 }, revoked: null })]);

    await lf("keys", "revoke", "ops", "--project", files[1]!);
    for (const server of servers) expect(await chat(server, key)).toEqual({ status: 401, code: "revoked_api_key" });
    expect(JSON.parse((await lf("keys", "list", "--project", files[0]!, "--json")).stdout)[0].revoked).toEqual(expect.any(String));
    for (const server of servers) expect(server.logText()).not.toContain(key);
  });

  it("refuses a second key of the same name", async () => {
    const again = await runCli(["keys", "create", "ops", "--project", files[0]!], { env: TEST_ENV });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("A key named ops exists already");
  });

  it("refuses a stored key with 503 naming the store while Redis is away, never letting it through", async () => {
    const key = (await lf("keys", "create", "late", "--project", files[0]!)).stdout.trim();
    expect((await chat(servers[0]!, key)).status).toBe(200);
    await redis.stop();
    try {
      for (const server of servers) expect(await chat(server, key)).toEqual({ status: 503, code: "key_store_unavailable" });
    } finally {
      await redis.restart();
    }
    // This redis-server keeps nothing across a restart: the store answers again, and knows no key.
    await eventually(async () => expect((await chat(servers[1]!, key)).code).toBe("invalid_api_key"), 10_000);
  });
});

describe("lf keys in .lf/gateway.db", () => {
  let server: TestServer;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    dir = tempDir("lf-keys-sqlite-");
    file = await writeProject(dir, yaml(fake.url));
    server = await startTestServer([file], { level: "warn" });
  });

  afterAll(async () => {
    await server?.close();
  });

  it("starts asking for keys once one is created, takes it, and refuses it once revoked or expired", async () => {
    expect((await chat(server, undefined)).status).toBe(200);
    const key = (await lf("keys", "create", "ci", "--project", file, "--models", "fast")).stdout.trim();
    expect(existsSync(join(dir, ".lf", "gateway.db"))).toBe(true);
    await eventually(async () => expect((await chat(server, undefined)).code).toBe("missing_api_key"), 5_000);
    expect((await chat(server, key)).status).toBe(200);
    await lf("keys", "revoke", "ci", "--project", file);
    expect((await chat(server, key)).code).toBe("revoked_api_key");

    const expired = (await lf("keys", "create", "stale", "--project", file, "--expires", "2001-01-01")).stdout.trim();
    expect((await chat(server, expired)).code).toBe("expired_api_key");
    const text = (await lf("keys", "list", "--project", file)).stdout;
    expect(text).toMatch(/^ci\s+revoked/m);
    expect(text).toMatch(/^stale\s+expired/m);
  });
});
