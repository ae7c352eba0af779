import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider, type RecordedRequest } from "../fake-provider/index.js";
import { PostgresServer } from "../helpers/postgres-server.js";
import { runCli } from "../helpers/run-cli.js";
import { startServeChild, type ServeChild } from "../helpers/serve-child.js";
import { RedisServer } from "../state/support/redis-server.js";
import { TEST_ENV, tempDir, writeProject } from "./support.js";

/**
 * Two real `lf serve` processes, each with its own project folder (as on two machines), sharing one
 * Redis and one PostgreSQL, with requests spread over them as a load balancer would.
 */
let redis: RedisServer;
let postgres: PostgresServer;
let fake: FakeProvider;
let databaseUrl: string;
const DATABASE = "instances";
const instances: Array<ServeChild & { file: string }> = [];

/** The model says what it was given: how many messages (system ones aside) and the last user message. */
function echo(request: RecordedRequest): string {
  const messages = ((request.body as { messages?: Array<{ role: string; content: unknown }> }).messages ?? []).filter((m) => m.role !== "system");
  return `${messages.length} messages, last: ${String(messages.at(-1)?.content)}`;
}

function projectFile(): Promise<string> {
  return writeProject(
    tempDir("lf-instance-"),
    `version: v1
name: shared
namespace: tests
state:
  redis_url: ${redis.url}
  key_prefix: "lf-instances:"
usage:
  database_url: ${databaseUrl}
runtime:
  default_model: fast
  retries: { max_attempts: 1 }
  models:
    - name: fast
      provider: openai
      model: gpt-fast
      base_url: ${fake.url}/v1
      api_key: \${env:LF_TEST_KEY}
`,
  );
}

beforeAll(async () => {
  [redis, postgres, fake] = await Promise.all([RedisServer.start(), PostgresServer.start(), startFakeProvider({ maxRecorded: 0 })]);
  fake.always("gpt-fast", echo);
  databaseUrl = await postgres.createDatabase(DATABASE);
  for (let i = 0; i < 2; i++) {
    const file = await projectFile();
    instances.push({ ...(await startServeChild(["--project", file], TEST_ENV)), file });
  }
}, 90_000);

afterAll(async () => {
  for (const instance of instances) if (instance.child.exitCode === null) instance.child.kill("SIGKILL");
  await Promise.allSettled(instances.map((instance) => instance.exited));
  await Promise.allSettled([fake?.close(), redis?.stop(), postgres?.close()]);
});

interface Answer {
  status: number;
  text: string;
  code: string | undefined;
  message: string | undefined;
}

async function chat(instance: number, content: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${instances[instance]!.url}/v1/projects/tests/shared/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ messages: [{ role: "user", content }] }),
  });
  const body = (await response.json()) as { choices?: Array<{ message: { content: string } }>; error?: { code: string; message: string } };
  return { status: response.status, text: body.choices?.[0]?.message.content ?? "", code: body.error?.code, message: body.error?.message };
}

async function getJson(instance: number, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${instances[instance]!.url}${path}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

interface ReadyUsage {
  store: string;
  reachable: boolean;
  rows: number;
}
const usageOf = async (instance: number) => ((await getJson(instance, "/health/ready")).body.projects as Array<{ usage: ReadyUsage }>)[0]!.usage;

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const shipped = () => waitFor(async () => (await usageOf(0)).rows === 0 && (await usageOf(1)).rows === 0);

describe("several lf serve instances sharing Redis and PostgreSQL", () => {
  it("counts the requests of both in lf usage and GET .../usage on either instance", async () => {
    for (let i = 0; i < 7; i++) expect((await chat(0, `a${i}`)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await chat(1, `b${i}`)).status).toBe(200);
    await shipped();
    for (const instance of instances) {
      const cli = await runCli(["usage", "--project", instance.file, "--json"], { env: TEST_ENV });
      expect(cli.code, cli.stderr).toBe(0);
      expect(JSON.parse(cli.stdout)).toMatchObject({ totals: { calls: 12, failures: 0 }, rows: [{ key: "fast", calls: 12 }] });
    }
    for (const instance of [0, 1]) expect((await getJson(instance, "/v1/projects/tests/shared/usage")).body).toMatchObject({ totals: { calls: 12 } });
    expect(await usageOf(0)).toMatchObject({ store: expect.stringContaining(`PostgreSQL postgres@127.0.0.1:${postgres.port}/${DATABASE}`), reachable: true, rows: 0 });
  });

  it("ships the row of an lf chat run in an instance's folder as it exits", async () => {
    const chatRun = await runCli(["chat", "--project", instances[0]!.file, "from the command line"], { env: TEST_ENV });
    expect(chatRun.code, chatRun.stderr).toBe(0);
    const rows = await postgres.query(DATABASE, "SELECT COUNT(*) AS n FROM lf_usage_requests");
    expect(Number(rows[0]!.n)).toBe(13);
  });

  it("keeps a session's whole history when its turns alternate between the instances", async () => {
    const session = { "x-session-id": "alternating" };
    for (let turn = 0; turn < 6; turn++) {
      const answer = await chat(turn % 2, `question ${turn}`, session);
      expect(answer).toMatchObject({ status: 200, text: `${2 * turn + 1} messages, last: question ${turn}` });
    }
    for (const instance of [0, 1]) {
      const stored = await getJson(instance, "/v1/projects/tests/shared/sessions/alternating");
      expect(stored.status).toBe(200);
      const messages = stored.body.messages as Array<{ role: string; content: string }>;
      expect(messages.map((m) => m.content)).toEqual(Array.from({ length: 6 }, (_, t) => [`question ${t}`, `${2 * t + 1} messages, last: question ${t}`]).flat());
    }
  });

  it("keeps every turn of 20 concurrent turns of one session, spread over both instances", async () => {
    const session = { "x-session-id": "crowded" };
    const answers = await Promise.all(Array.from({ length: 20 }, (_, n) => chat(n % 2, `turn ${n}`, session)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    const stored = await getJson(1, "/v1/projects/tests/shared/sessions/crowded");
    const messages = (stored.body.messages as Array<{ role: string; content: string }>).map((m) => m.content);
    expect(messages).toHaveLength(40);
    // Each turn is stored whole, its question right before its answer.
    for (let i = 0; i < 40; i += 2) expect(messages[i + 1]).toMatch(new RegExp(`, last: ${messages[i]}$`));
    expect(new Set(messages.filter((_, i) => i % 2 === 0))).toEqual(new Set(Array.from({ length: 20 }, (_, n) => `turn ${n}`)));
    // The next turn, on either instance, sees all 40.
    expect((await chat(0, "and now?", session)).text).toBe("41 messages, last: and now?");
  });

  it("answers every request while PostgreSQL is stopped mid-load, and ships each spooled row once when it is back", async () => {
    const ids: string[] = [];
    const statuses: number[] = [];
    let phase: "before" | "down" | "after" | "done" = "before";
    let sent = 0;
    const worker = async (n: number) => {
      while (phase !== "done") {
        const id = `load-${n}-${sent++}`;
        ids.push(id);
        statuses.push((await chat(n % 2, id, { "x-request-id": id })).status);
      }
    };
    const workers = Array.from({ length: 6 }, (_, n) => worker(n));
    await waitFor(async () => sent >= 30);
    await postgres.stop();
    phase = "down";
    try {
      const during = sent;
      await waitFor(async () => sent >= during + 60);
      await waitFor(async () => (await usageOf(0)).reachable === false && (await usageOf(1)).reachable === false);
      const waiting = [await usageOf(0), await usageOf(1)];
      expect(waiting[0]!.rows + waiting[1]!.rows).toBeGreaterThan(0);
      expect((await getJson(0, "/health/ready")).body.status).toBe("degraded");
      const report = await getJson(0, "/v1/projects/tests/shared/usage");
      expect(report).toMatchObject({ status: 503, body: { error: { code: "usage_database_unavailable" } } });
      // lf status on an instance's folder names the database, says it is down and counts what waits there.
      const status = await runCli(["status", "--project", instances[0]!.file, "--json"], { env: TEST_ENV });
      const stores = (JSON.parse(status.stdout) as { stores: { usage: { reachable: boolean; rows: number; store: string }; sessions: unknown } }).stores;
      expect(stores.usage).toMatchObject({ store: `PostgreSQL postgres@127.0.0.1:${postgres.port}/${DATABASE}`, reachable: false });
      expect(stores.usage.rows).toBeGreaterThan(0);
      expect(stores.sessions).toEqual({ store: `Redis at 127.0.0.1:${redis.port}`, reachable: true });
      const text = await runCli(["status", "--project", instances[1]!.file], { env: TEST_ENV });
      expect(text.stdout).toMatch(/^down\s+usage\s+PostgreSQL \S+ {2}NOT reachable, \d+ rows? waiting in \.lf\/usage\.db/m);
    } finally {
      await postgres.restart();
    }
    phase = "after";
    const back = sent;
    await waitFor(async () => sent >= back + 30);
    phase = "done";
    await Promise.all(workers);

    expect(statuses.filter((s) => s !== 200)).toEqual([]);
    await shipped();
    const rows = await postgres.query(DATABASE, "SELECT request_id, COUNT(*) AS n FROM lf_usage_requests WHERE request_id LIKE 'load-%' GROUP BY request_id");
    expect(rows.filter((row) => Number(row.n) !== 1)).toEqual([]);
    expect(new Set(rows.map((row) => String(row.request_id)))).toEqual(new Set(ids));
    expect((await getJson(1, "/health/ready")).body.status).toBe("ready");
  });

  it("refuses requests with a session with 503 while Redis is stopped, and serves the others", async () => {
    await redis.stop();
    try {
      for (const instance of [0, 1]) {
        const refused = await chat(instance, "remember me", { "x-session-id": "alternating" });
        expect(refused).toMatchObject({ status: 503, code: "session_store_unavailable" });
        expect(refused.message).toContain(`session store (Redis at 127.0.0.1:${redis.url.split(":").pop()})`);
        expect((await chat(instance, "no session")).status).toBe(200);
        expect((await getJson(instance, "/v1/projects/tests/shared/sessions/alternating")).status).toBe(503);
      }
      const ready = (await getJson(0, "/health/ready")).body as { status: string; projects: Array<{ sessions: { reachable: boolean } }> };
      expect(ready.status).toBe("degraded");
      expect(ready.projects[0]!.sessions.reachable).toBe(false);
    } finally {
      await redis.restart();
    }
    await waitFor(async () => (await chat(0, "back", { "x-session-id": "fresh" })).status === 200);
  });
});
