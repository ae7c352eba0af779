import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { runCli } from "../helpers/run-cli.js";
import { startTestServer, tempDir, writeProject, type TestServer } from "./support.js";

let fake: FakeProvider;
let server: TestServer;
let file: string;

beforeAll(async () => {
  fake = await startFakeProvider();
  fake.always("gpt-primary", { fault: "status", status: 503, message: "overloaded" });
  fake.always("gpt-backup", "from the backup");
  file = await writeProject(
    tempDir(),
    `version: v1
name: pipe
namespace: tests
runtime:
  default_model: primary
  retries: { max_attempts: 2, initial_backoff: 1ms, max_backoff: 2ms }
  circuit_breaker: { failure_threshold: 1000, min_requests: 1000 }
  models:
    - { name: primary, provider: openai, model: gpt-primary, base_url: "${fake.url}/v1", api_key: test-key, fallbacks: [backup] }
    - { name: backup, provider: openai, model: gpt-backup, base_url: "${fake.url}/v1", api_key: test-key }
`,
  );
  server = await startTestServer([file]);
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
});

type Step = [model: string, outcome: string, status: number | undefined];

/** The attempts the server logged for one request, in order. */
function loggedAttempts(requestId: string): Step[] {
  const logs = server.logs;
  const done = logs.findIndex((l) => l.req === requestId && l.msg === "chat completed");
  const start = logs.findLastIndex((l, i) => i < done && l.msg === "project loaded");
  return logs
    .slice(Math.max(start, 0), done)
    .filter((l) => typeof l.msg === "string" && l.msg.startsWith("route ") && l.project === "tests/pipe")
    .slice(-3)
    .map((l) => [String(l.model), String(l.outcome), typeof l.status === "number" ? l.status : undefined]);
}

async function post(path: string, model: string, id: string, stream: boolean): Promise<{ status: number; servedBy: string | null; attempts: string | null; text: string }> {
  const response = await fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-request-id": id },
    body: JSON.stringify({ model, stream, messages: [{ role: "user", content: "hi" }] }),
  });
  return { status: response.status, servedBy: response.headers.get("x-lf-model"), attempts: response.headers.get("x-lf-attempts"), text: await response.text() };
}

describe("one pipeline for every route form", () => {
  const expected: Step[] = [
    ["primary", "failed", 503],
    ["primary", "failed", 503],
    ["backup", "success", undefined],
  ];

  for (const [label, path, model] of [
    ["project route", "/v1/projects/tests/pipe/chat/completions", "primary"],
    ["project route, other case", "/V1/Projects/tests/pipe/Chat/Completions", "primary"],
    ["root route", "/v1/chat/completions", "tests/pipe/primary"],
    ["root route, bare model", "/V1/CHAT/COMPLETIONS", "primary"],
  ] as const) {
    for (const stream of [false, true]) {
      it(`sends a fault through the same attempts (${label}, ${stream ? "streamed" : "whole"})`, async () => {
        const id = `pipe-${label.replace(/\W+/g, "-")}-${stream}`;
        const answer = await post(path, model, id, stream);
        expect(answer).toMatchObject({ status: 200, servedBy: "backup", attempts: "3" });
        const text = stream
          ? answer.text
              .split("\n")
              .filter((line) => line.startsWith("data: {"))
              .map((line) => (JSON.parse(line.slice(6)) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content ?? "")
              .join("")
          : (JSON.parse(answer.text) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content;
        expect(text).toBe("from the backup");
        expect(loggedAttempts(id)).toEqual(expected);
      });
    }
  }

  it("and lf chat, in process, makes the same attempts", async () => {
    const result = await runCli(["chat", "--project", file, "--verbose", "hi"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("from the backup");
    expect(result.stderr).toContain("attempts: 3 (primary failed 503, primary failed 503, backup success)");
  });
});
