import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/run-cli.js";
import { startTestServer, type TestServer } from "./support.js";

const PROJECT = resolve("examples/router/llamafarm.yaml");

async function post(url: string, body: unknown): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

describe("POST …/route", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer([PROJECT], { watch: false });
  });
  afterAll(() => server.close());

  it("answers what lf route --json prints for the same conversation, calling no model", async () => {
    const message = "prove that the square root of 2 is irrational, step by step";
    const http = await post(`${server.url}/v1/projects/examples/router/route`, { model: "auto", messages: [{ role: "user", content: message }] });
    const cli = await runCli(["route", "--project", "examples/router", "--model", "auto", "--json", message]);
    expect(http.status).toBe(200);
    expect(cli.code).toBe(0);
    const report = JSON.parse(cli.stdout);
    expect(http.body.router.complexity.tier).toBe(report.router.complexity.tier);
    expect(http.body).toEqual(report);
  });

  it("takes the root form with the model named as on /v1/chat/completions", async () => {
    const http = await post(`${server.url}/v1/route`, { model: "examples/router/auto", messages: [{ role: "user", content: "hi there" }] });
    expect(http.status).toBe(200);
    expect(http.body.model).toBe("auto");
    expect(http.body.router.complexity.tier).toBe("simple");
  });

  it("says null for a model that is not a router, and lists its fallbacks", async () => {
    const http = await post(`${server.url}/v1/projects/examples/router/route`, { model: "small", messages: [{ role: "user", content: "hi" }] });
    expect(http.status).toBe(200);
    expect(http.body.router).toBeNull();
    expect(http.body.model).toBe("small");
  });

  it("refuses a body that is not a chat request, and an unknown project, in the API's error shape", async () => {
    const bad = await post(`${server.url}/v1/projects/examples/router/route`, { messages: "nope" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/messages/);
    const missing = await post(`${server.url}/v1/projects/examples/nothing/route`, { messages: [{ role: "user", content: "hi" }] });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain("examples/router");
  });
});
