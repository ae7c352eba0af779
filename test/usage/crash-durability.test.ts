import { join } from "node:path";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { startServeChild, type ServeChild } from "../helpers/serve-child.js";
import { TEST_ENV, tempDir, writeProject } from "../server/support.js";

const Database = createRequire(import.meta.url)("better-sqlite3") as new (file: string, options?: { readonly?: boolean }) => {
  prepare(sql: string): { all(): Array<Record<string, unknown>>; get(): Record<string, unknown> };
  pragma(source: string, options?: { simple?: boolean }): unknown;
  close(): void;
};

/** Each answer costs exactly $0.01: the fake reports 10 prompt tokens, and output is free. */
const PRICE_PER_ANSWER = 0.01;

function project(fakeUrl: string, daily = 1_000_000): string {
  return `version: v1
name: durable
namespace: tests
budget: { daily: ${daily} }
runtime:
  default_model: fast
  models:
    - name: fast
      provider: openai
      model: gpt-fast
      base_url: ${fakeUrl}/v1
      api_key: \${env:LF_TEST_KEY}
      pricing: { input_per_1k: 1, output_per_1k: 0 }
`;
}

let fake: FakeProvider;
const children: ServeChild[] = [];
beforeAll(async () => {
  fake = await startFakeProvider({ maxRecorded: 0, defaultReply: { text: "one two three four five six", usage: { inputTokens: 10, outputTokens: 6 } } });
});
afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
  await fake?.close();
});

/**
 * Drives `url` with `concurrency` clients, half of them streaming, until `answers` requests have been
 * answered completely (a 200 JSON body parsed, or a stream that ended with `[DONE]`), then kills the
 * server with SIGKILL while requests are still in flight. Returns the ids of the complete answers.
 */
async function loadThenKill(server: ServeChild, answers: number, concurrency = 48, maxRequests = 6_000): Promise<Set<string>> {
  const complete = new Set<string>();
  const endpoint = `${server.url}/v1/projects/tests/durable/chat/completions`;
  let sent = 0;
  let killed = false;
  const worker = async (n: number) => {
    while (!killed && sent < maxRequests) {
      const id = `r${n}-${sent++}`;
      const stream = n % 2 === 0;
      try {
        const response = await fetch(endpoint, {
          method: "POST",
          headers: { "content-type": "application/json", "x-request-id": id },
          body: JSON.stringify({ messages: [{ role: "user", content: "hello" }], stream }),
        });
        const text = await response.text();
        const whole = stream ? text.endsWith("data: [DONE]\n\n") : (JSON.parse(text) as { choices?: unknown[] }).choices?.length === 1;
        if (response.status === 200 && whole && !killed) complete.add(id);
      } catch {
        // The server was killed under this request: it was in flight, not answered.
      }
      if (!killed && complete.size >= answers) {
        killed = true;
        server.child.kill("SIGKILL");
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, n) => worker(n)));
  expect(await server.exited).toBe("SIGKILL");
  return complete;
}

function ledgerRows(dir: string): { ids: Set<string>; integrity: unknown; rows: number } {
  const db = new Database(join(dir, ".lf", "usage.db"), { readonly: true });
  try {
    const rows = db.prepare("SELECT request_id FROM requests WHERE outcome = 'ok'").all();
    return { ids: new Set(rows.map((r) => String(r.request_id))), integrity: db.pragma("integrity_check", { simple: true }), rows: rows.length };
  } finally {
    db.close();
  }
}

describe("a killed lf serve keeps every answered request", () => {
  it("has a ledger row for each complete 200 after kill -9 and a restart, over two runs, and its budgets count them", async () => {
    const dir = tempDir("lf-crash-");
    const file = await writeProject(dir, project(fake.url));
    const answered = new Set<string>();

    for (let run = 0; run < 2; run++) {
      const server = await startServeChild(["--project", file], TEST_ENV);
      children.push(server);
      const complete = await loadThenKill(server, 1_000);
      expect(complete.size).toBeGreaterThanOrEqual(1_000);
      for (const id of complete) answered.add(id);
    }

    // The restart commits what the killed processes left in their journals.
    const restarted = await startServeChild(["--project", file], TEST_ENV);
    children.push(restarted);
    const { ids, integrity } = ledgerRows(dir);
    expect(integrity).toBe("ok");
    expect([...answered].filter((id) => !ids.has(id))).toEqual([]);
    restarted.child.kill("SIGTERM");
    await restarted.exited;

    // A daily budget of exactly what the answered requests cost is spent after the next restart.
    await writeProject(dir, project(fake.url, answered.size * PRICE_PER_ANSWER));
    const budgeted = await startServeChild(["--project", file], TEST_ENV);
    children.push(budgeted);
    const refused = await fetch(`${budgeted.url}/v1/projects/tests/durable/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "one more" }] }),
    });
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("budget_exceeded");
    budgeted.child.kill("SIGTERM");
    await budgeted.exited;
  }, 120_000);
});
