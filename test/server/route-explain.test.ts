import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/run-cli.js";
import { startTestServer, tempDir, type TestServer } from "./support.js";

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

  it("gives the same tier for a whole conversation, from --messages FILE, from stdin and over HTTP", async () => {
    // The last message alone says little; the earlier turns make it a reasoning request.
    const body = {
      model: "auto",
      messages: [
        { role: "system", content: "You are a patient maths tutor." },
        { role: "user", content: "A bag holds 3 red and 5 blue marbles. I draw two without replacement. What is the probability both are red?" },
        { role: "assistant", content: "P = (3/8)·(2/7) = 6/56 = 3/28." },
        { role: "user", content: "and if I put the first one back before the second draw?" },
      ],
    };
    const file = join(tempDir("lf-route-"), "conversation.json");
    writeFileSync(file, JSON.stringify(body, null, 2));
    const http = await post(`${server.url}/v1/projects/examples/router/route`, body);
    const fromFile = await runCli(["route", "--project", "examples/router", "--json", "--messages", file]);
    const fromStdin = await runCli(["route", "--project", "examples/router", "--json", "--messages", "-"], { input: JSON.stringify(body.messages) });
    expect(http.status).toBe(200);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    expect(JSON.parse(fromFile.stdout)).toEqual(http.body);
    // A bare array of messages names no model: the project's default (auto) routes it.
    expect(JSON.parse(fromStdin.stdout)).toEqual(http.body);
    expect(http.body.router.complexity.tier).toBe("reasoning");
  });

  it("says where a conversation file is wrong: the line and column of bad JSON, the field of a bad message", async () => {
    const dir = tempDir("lf-route-");
    const broken = join(dir, "broken.json");
    writeFileSync(broken, '{\n  "messages": [\n    { "role": "user", "content": "hi" },\n  ]\n}\n');
    const bad = await runCli(["route", "--project", "examples/router", "--messages", broken]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(new RegExp(`${broken.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:4:\\d+: not valid JSON`));
    const wrongRole = join(dir, "role.json");
    writeFileSync(wrongRole, JSON.stringify([{ role: "wizard", content: "hi" }]));
    const role = await runCli(["route", "--project", "examples/router", "--messages", wrongRole]);
    expect(role.code).toBe(2);
    expect(role.stderr).toContain("messages[0].role");
    const both = await runCli(["route", "--project", "examples/router", "--messages", wrongRole, "hello"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("either a message or --messages");
    const missing = await runCli(["route", "--project", "examples/router", "--messages", join(dir, "nope.json")]);
    expect(missing.stderr).toContain("nope.json: no such file");
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
