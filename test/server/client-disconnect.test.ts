import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { eventually, startTestServer, tempDir, writeProject, type TestServer } from "./support.js";

let fake: FakeProvider;
let server: TestServer;

beforeAll(async () => {
  fake = await startFakeProvider();
  const file = await writeProject(
    tempDir(),
    `version: v1
name: gone
namespace: tests
runtime:
  default_model: one
  models:
    - name: one
      provider: openai
      model: gpt-one
      base_url: ${fake.url}/v1
      api_key: test-key
      limits: { max_concurrent: 1 }
`,
  );
  server = await startTestServer([file], { level: "info" });
  // The first call loads the provider's module; the cases below time what follows a call that is under way.
  await server.client("tests/gone").chat.completions.create({ model: "one", messages: [{ role: "user", content: "warm" }] });
});

afterAll(async () => {
  await server?.close();
  await fake?.close();
});

/** Sends a chat request and destroys the connection after `afterMs`, as a client that gives up. */
function askThenLeave(stream: boolean, afterMs: number): Promise<void> {
  const url = new URL(`${server.url}/v1/projects/tests/gone/chat/completions`);
  return new Promise((resolve) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", headers: { "content-type": "application/json" } });
    req.on("error", () => resolve());
    req.end(JSON.stringify({ stream, messages: [{ role: "user", content: "hi" }] }));
    setTimeout(() => {
      req.destroy();
      resolve();
    }, afterMs);
  });
}

describe("a client that goes away", () => {
  for (const [label, reply] of [
    ["before the provider has answered", { text: "late", delayMs: 5_000 }],
    ["while the provider streams a long answer", { text: Array.from({ length: 50 }, (_, i) => `w${i} `), chunkDelayMs: 100 }],
  ] as const) {
    for (const stream of [false, true]) {
      it(`cancels the upstream call at once and frees its max_concurrent slot (${stream ? "streamed" : "whole answer"}, ${label})`, async () => {
        fake.reset();
        fake.script("gpt-one", reply);
        await askThenLeave(stream, 100);
        expect(fake.requests).toHaveLength(1);
        const left = Date.now();
        await eventually(() => expect(fake.requests[0]?.aborted).toBe(true), 2_000);
        expect(Date.now() - left).toBeLessThan(150);
        // The slot is free: the next request is answered, not refused for max_concurrent.
        fake.script("gpt-one", "next");
        const next = await server.client("tests/gone").chat.completions.create({ model: "one", messages: [{ role: "user", content: "again" }] });
        expect(next.choices[0]?.message.content).toBe("next");
      });
    }
  }
});
