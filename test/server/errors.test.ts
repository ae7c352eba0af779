import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { SECRET, projectYaml, startTestServer, tempDir, writeProject, type TestServer } from "./support.js";

let fake: FakeProvider;
let server: TestServer;
let client: OpenAI;
let chatUrl: string;
const messages = [{ role: "user" as const, content: "hi" }];

beforeAll(async () => {
  fake = await startFakeProvider();
  const file = await writeProject(tempDir(), projectYaml(fake.url, { server: "server:\n  body_limit: 64kb\n" }));
  server = await startTestServer([file]);
  client = server.client("tests/demo");
  chatUrl = `${server.url}/v1/projects/tests/demo/chat/completions`;
});
beforeEach(() => fake.reset());
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

async function post(body: string, headers: Record<string, string> = {}) {
  const response = await fetch(chatUrl, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  return { status: response.status, body: (await response.json()) as { error: { message: string; type: string; param: string | null; code: string | null } } };
}

async function apiError(promise: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as InstanceType<typeof OpenAI.APIError>;
}

describe("bad requests get a status and an OpenAI-shaped error body", () => {
  it("413 for a body over server.body_limit", async () => {
    const error = await apiError(client.chat.completions.create({ model: "fast", messages: [{ role: "user", content: "x".repeat(80 * 1024) }] }));
    expect(error.status).toBe(413);
    expect(error.error).toMatchObject({ type: "invalid_request_error", code: "body_too_large", param: null });
    expect(fake.requests).toHaveLength(0);
  });

  it("400 for a body that is not JSON", async () => {
    const { status, body } = await post("{not json");
    expect(status).toBe(400);
    expect(body.error).toMatchObject({ type: "invalid_request_error", code: "invalid_json", param: null });
    expect(body.error.message).toMatch(/not valid JSON/);
  });

  it.each([
    [{ messages: "hi" }, "messages"],
    [{ messages: [] }, "messages"],
    [{ messages: [{ role: "wizard", content: "hi" }] }, "messages[0].role"],
    [{ messages: [{ role: "user", content: 5 }] }, "messages[0].content"],
    [{ messages: [{ role: "user", content: [{ type: "audio" }] }] }, "messages[0].content[0].type"],
    [{ messages: [{ role: "tool", content: "x" }] }, "messages[0].tool_call_id"],
    [{ messages, temperature: "hot" }, "temperature"],
    [{ messages, max_tokens: 1.5 }, "max_tokens"],
    [{ messages, stream: "yes" }, "stream"],
    [{ messages, stop: [1] }, "stop"],
    [{ messages, variables: { style: 3 } }, "variables.style"],
    [{ messages, tools: [{ type: "function", function: {} }] }, "tools[0].function.name"],
    [{ messages, tool_choice: "sometimes" }, "tool_choice"],
    [{ messages, response_format: { type: "yaml" } }, "response_format.type"],
    [{ messages, model: 42 }, "model"],
    [{ messages, max_cost: -1 }, "max_cost"],
  ])("400 naming the wrong field: %j", async (body, param) => {
    const result = await post(JSON.stringify(body));
    expect(result.status).toBe(400);
    expect(result.body.error).toMatchObject({ type: "invalid_request_error", param });
  });

  it("404 for an unknown project, listing the projects", async () => {
    const error = await apiError(server.client("tests/nope").chat.completions.create({ model: "fast", messages }));
    expect(error.status).toBe(404);
    expect(error.error).toMatchObject({ type: "not_found_error", code: "project_not_found" });
    expect(error.message).toContain("tests/demo");
  });

  it("404 for an unknown model, listing the models", async () => {
    const error = await apiError(client.chat.completions.create({ model: "fsat", messages }));
    expect(error.status).toBe(404);
    expect(error.error).toMatchObject({ code: "model_not_found", param: "model" });
    expect(error.message).toMatch(/did you mean "fast"/);
    expect(error.message).toContain("fast, steady, chain, local, picker");

    const global = await apiError(server.client().chat.completions.create({ model: "tests/demo/nope", messages }));
    expect(global.status).toBe(404);
    expect(global.message).toContain("steady");
  });

  it("404 in the same shape for an unknown route", async () => {
    const response = await fetch(`${server.url}/v2/whatever`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { type: "not_found_error", code: "route_not_found" } });
  });

  it("502 when every model failed, with no stack and no secret", async () => {
    fake.script("gpt-steady", { fault: "status", status: 500, message: `upstream broke with key ${SECRET}` });
    const error = await apiError(client.chat.completions.create({ model: "steady", messages }));
    expect(error.status).toBe(502);
    expect(error.error).toMatchObject({ type: "upstream_error", code: "all_models_failed" });
    expect(JSON.stringify(error.error)).not.toContain(SECRET);
    expect(JSON.stringify(error.error)).not.toMatch(/\bat .*\.(ts|js):\d+/);
  });

  it("a 5xx body and the upstream's URL reach the log only: the client's 502 names the model, the failure and its status", async () => {
    const internals = "pg pool exhausted at db-7.internal:5432, token=tok_live_4242";
    fake.script("gpt-steady", { fault: "status", status: 500, body: { error: { message: internals, type: "server_error" } } });
    const error = await apiError(client.chat.completions.create({ model: "steady", messages }));
    expect(error.status).toBe(502);
    const told = error.message;
    expect(told).toContain("steady");
    expect(told).toContain("provider_error");
    expect(told).toContain("server error (500)");
    expect(told).not.toContain("db-7.internal");
    expect(told).not.toContain("tok_live_4242");
    expect(told).not.toContain(fake.url);
    const ready = await (await fetch(`${server.url}/health/ready`)).text();
    expect(ready).not.toContain("tok_live_4242");
    expect(ready).not.toContain(fake.url);
    expect(server.logText()).toContain("pg pool exhausted");
    expect(server.logText()).toContain(`${fake.url}/v1/chat/completions`);
  });

  it("an upstream 400 is the client's 400, with the key redacted from the echoed message", async () => {
    fake.script("gpt-steady", { fault: "status", status: 400, message: `Invalid key ${SECRET} for this field` });
    const error = await apiError(client.chat.completions.create({ model: "steady", messages }));
    expect(error.status).toBe(400);
    expect(error.message).toContain("Invalid key");
    expect(error.message).not.toContain(SECRET);
  });

  it("an error after the stream started arrives as an error event, not a silent end", async () => {
    fake.script("gpt-fast", { text: ["one ", "two ", "three"], fault: { fault: "stream-error", afterChunks: 2, message: `model crashed near ${SECRET}` } });
    const received: string[] = [];
    const error = await apiError(
      (async () => {
        for await (const chunk of await client.chat.completions.create({ model: "fast", messages, stream: true })) {
          const text = chunk.choices[0]?.delta.content;
          if (text) received.push(text);
        }
      })(),
    );
    expect(received.join("")).toBe("one two ");
    // The client is told what failed; what the upstream wrote goes to the log only.
    expect(error.message).toContain("reported an error during the response");
    expect(error.message).not.toMatch(/crashed/);
    expect(error.message).not.toContain(SECRET);
    expect(server.logText()).toContain("model crashed near");
    expect(server.logText()).not.toContain(SECRET);

    // On the wire: the error event is the last thing sent, and no [DONE] follows it.
    fake.script("gpt-fast", { text: ["one ", "two"], fault: { fault: "stream-error", afterChunks: 1 } });
    const raw = await fetch(chatUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ messages, stream: true }) }).then((r) => r.text());
    const events = raw.trim().split("\n\n");
    expect(events.at(-1)).toMatch(/^data: \{"error":\{"message":/);
    expect(raw).not.toContain("[DONE]");
  });

  it("a failure before any output is an HTTP error even when streaming was asked for", async () => {
    fake.script("gpt-steady", { fault: "status", status: 503, message: "overloaded" });
    const error = await apiError(client.chat.completions.create({ model: "steady", messages, stream: true }));
    expect(error.status).toBe(502);
    expect(error.headers?.get("x-lf-attempts")).toBe("1");
  });

  it("never writes the project's secrets into a log line", () => {
    expect(server.logText()).not.toContain(SECRET);
    expect(server.logText()).not.toMatch(/\n\s+at /);
  });
});
