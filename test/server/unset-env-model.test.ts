import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { runCli } from "../helpers/run-cli.js";
import { getJson, startTestServer, tempDir, writeProject, type TestServer } from "./support.js";

let fake: FakeProvider;
let server: TestServer;
let file: string;

beforeAll(async () => {
  fake = await startFakeProvider();
  fake.always("gpt-fast", "fast answers");
  file = await writeProject(
    tempDir(),
    `version: v1
name: partial
namespace: tests
runtime:
  default_model: fast
  models:
    - name: fast
      provider: openai
      model: gpt-fast
      base_url: ${fake.url}/v1
      api_key: test-key
    - name: cloud
      provider: openai
      model: gpt-cloud
      base_url: \${LF_TEST_UNSET_CLOUD_URL}
      api_key: \${env:LF_TEST_UNSET_CLOUD_KEY}
      fallbacks: [fast]
    - name: cloud-only
      provider: anthropic
      model: claude-x
      api_key: \${env:LF_TEST_UNSET_CLOUD_KEY}
`,
  );
  server = await startTestServer([file], { level: "info" });
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
});

async function ask(model: string): Promise<{ status: number; body: { error?: { message: string; code: string }; choices?: Array<{ message: { content: string } }> }; servedBy: string | null }> {
  const response = await fetch(`${server.url}/v1/projects/tests/partial/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });
  return { status: response.status, body: (await response.json()) as Awaited<ReturnType<typeof ask>>["body"], servedBy: response.headers.get("x-lf-model") };
}

describe("a model whose environment variable is not set", () => {
  it("is a warning with its line, not an error that blocks the project", async () => {
    const result = await runCli(["validate", file], { env: { LF_TEST_UNSET_CLOUD_URL: undefined, LF_TEST_UNSET_CLOUD_KEY: undefined } });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/llamafarm\.yaml:\d+:\d+: warning runtime\.models\[1\]\.api_key: model cloud cannot be used until environment variable LF_TEST_UNSET_CLOUD_KEY is set/);
    expect(result.stdout).toMatch(/warning runtime\.models\[1\]\.base_url: model cloud cannot be used until environment variable LF_TEST_UNSET_CLOUD_URL is set/);
  });

  it("leaves the other models serving, falls back past it, and says why it was passed over", async () => {
    expect(await ask("fast")).toMatchObject({ status: 200, servedBy: "fast" });
    expect(await ask("cloud")).toMatchObject({ status: 200, servedBy: "fast" });
    const alone = await ask("cloud-only");
    expect(alone.status).toBe(503);
    expect(alone.body.error?.message).toContain("cloud-only: skipped (unavailable: environment variable LF_TEST_UNSET_CLOUD_KEY is not set");
    // Nothing was sent anywhere for it.
    expect(fake.requests.every((r) => r.model === "gpt-fast")).toBe(true);

    const ready = (await getJson(`${server.url}/health/ready`)).body;
    const models = Object.fromEntries(ready.projects[0].models.map((m: { name: string }) => [m.name, m]));
    expect(models.fast.unavailable).toBeNull();
    expect(models.cloud.unavailable).toMatch(/LF_TEST_UNSET_CLOUD_URL is not set.*LF_TEST_UNSET_CLOUD_KEY is not set|LF_TEST_UNSET_CLOUD_KEY is not set.*LF_TEST_UNSET_CLOUD_URL is not set/);
  });
});
