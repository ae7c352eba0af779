import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Gateway, createLogger, discoverProjects } from "../../runtime/server/index.js";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { TEST_ENV, getJson, projectYaml, startTestServer, tempDir, writeProject, type TestServer } from "./support.js";

const ADMIN = "admin-key-0123456789";
const TEAM = "team-key-0123456789";
let fake: FakeProvider;
let server: TestServer;
let root: string;
const messages = [{ role: "user" as const, content: "hi" }];

beforeAll(async () => {
  fake = await startFakeProvider();
  root = tempDir("lf-serve-many-");
  const keys = `server:\n  api_keys:\n    - \${env:LF_ADMIN_KEY}\n    - { key: "\${env:LF_TEAM_KEY}", projects: [team/alpha] }\n`;
  await writeProject(join(root, "alpha"), projectYaml(fake.url, { namespace: "team", name: "alpha", server: keys }));
  await writeProject(join(root, "nested", "beta"), projectYaml(fake.url, { namespace: "team", name: "beta" }));
  await writeProject(join(root, "node_modules", "skipped"), projectYaml(fake.url, { namespace: "x", name: "skipped" }));
  await writeProject(join(root, ".hidden"), projectYaml(fake.url, { namespace: "x", name: "hidden" }));
  Object.assign(TEST_ENV, { LF_ADMIN_KEY: ADMIN, LF_TEAM_KEY: TEAM });
  server = await startTestServer(await discoverProjects(root));
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

describe("several projects behind API keys", () => {
  it("finds every project under the folder but node_modules and dot-folders", async () => {
    const { body } = await getJson(`${server.url}/v1/projects`, { authorization: `Bearer ${ADMIN}` });
    expect(body.data.map((p: { id: string }) => p.id)).toEqual(["team/alpha", "team/beta"]);
  });

  it("401 without a key or with a wrong one; /health needs none", async () => {
    const missing = await fetch(`${server.url}/v1/projects/team/alpha/chat/completions`, { method: "POST", body: JSON.stringify({ messages }) });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { type: "authentication_error", code: "missing_api_key", param: null } });

    const wrong = await server.client("team/alpha", { apiKey: "admin-key-0123456780" }).chat.completions.create({ model: "fast", messages }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(wrong).toMatchObject({ status: 401, error: { type: "authentication_error", code: "invalid_api_key" } });
    expect((await getJson(`${server.url}/health/ready`)).status).toBe(401);
    expect((await getJson(`${server.url}/health`)).status).toBe(200);
  });

  it("a key limited to some projects gets 403 on the others and sees only its own", async () => {
    fake.always("gpt-fast", "ok");
    const team = (project?: string) => server.client(project, { apiKey: TEAM });
    expect((await team("team/alpha").chat.completions.create({ model: "fast", messages })).choices[0]?.message.content).toBe("ok");
    const denied = await team("team/beta").chat.completions.create({ model: "fast", messages }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((denied as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ type: "permission_error", code: "project_forbidden" });

    const ids = [];
    for await (const model of team().models.list()) ids.push(model.id);
    expect(ids.every((id) => id.startsWith("team/alpha/"))).toBe(true);
    const global = await team().chat.completions.create({ model: "team/beta/fast", messages }).catch((e: unknown) => e);
    expect(global).toMatchObject({ status: 403 });
    expect((await getJson(`${server.url}/v1/projects/team/beta/models`, { authorization: `Bearer ${TEAM}` })).status).toBe(403);
    const projects = await getJson(`${server.url}/v1/projects`, { authorization: `Bearer ${TEAM}` });
    expect(projects.body.data.map((p: { id: string }) => p.id)).toEqual(["team/alpha"]);

    const admin = server.client(undefined, { apiKey: ADMIN });
    expect((await admin.chat.completions.create({ model: "team/beta/fast", messages })).model).toBe("team/beta/fast");
    const bare = await admin.chat.completions.create({ model: "fast", messages }).catch((e: unknown) => e);
    expect(bare).toMatchObject({ status: 400, error: { code: "model_required", param: "model" } });
  });

  it("refuses to start when two files are the same namespace/name, naming both", async () => {
    const dir = tempDir("lf-serve-dup-");
    const one = await writeProject(join(dir, "one"), projectYaml(fake.url, { name: "same" }));
    const two = await writeProject(join(dir, "two"), projectYaml(fake.url, { name: "same" }));
    const logger = createLogger({ destination: { write: () => undefined } as never });
    const error = await Gateway.start({ files: await discoverProjects(dir), logger, env: TEST_ENV, port: 0 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "config_invalid" });
    expect((error as Error).message).toContain(one);
    expect((error as Error).message).toContain(two);
    await writeFile(two, "unused");
  });
});
