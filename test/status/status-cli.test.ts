import { createServer, type Server } from "node:http";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { runCli } from "../helpers/run-cli.js";

let fake: FakeProvider;
let slow: Server;
let slowUrl: string;
let dir: string;

/** An OpenAI-compatible server whose model list answers only after a delay (or never); far from the slow mark either way, so a busy machine does not move a model across it. */
function startSlowServer(): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url?.startsWith("/hang")) return; // never answers
    setTimeout(() => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ object: "list", data: [{ id: "slow-model", object: "model", created: 0, owned_by: "test" }] }));
    }, 1200);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function project(defaultModel: string): string {
  const file = join(dir, `${defaultModel}.yaml`);
  writeFileSync(
    file,
    `version: v1
name: status-test
namespace: tests
runtime:
  default_model: ${defaultModel}
  models:
    - name: up
      provider: ollama
      model: llama3.1:8b
      base_url: ${fake.url}
      limits: { rpm: 60, max_concurrent: 2 }
    - name: slow
      provider: openai
      model: slow-model
      base_url: ${slowUrl}/v1
    - name: hanging
      provider: openai
      model: x
      base_url: ${slowUrl}/hang/v1
    - name: down
      provider: ollama
      model: llama3.1:8b
      base_url: http://127.0.0.1:9
    - name: nokey
      provider: anthropic
      model: claude-sonnet-4-5
    - name: auto
      router: { strategy: least-busy, models: [down, up] }
`,
  );
  return file;
}

beforeAll(async () => {
  fake = await startFakeProvider({ models: ["llama3.1:8b"] });
  slow = await startSlowServer();
  slowUrl = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
  dir = mkdtempSync(join(tmpdir(), "lf-status-"));
});

afterAll(async () => {
  await fake?.close();
  slow?.closeAllConnections();
  await new Promise((resolve) => slow?.close(resolve));
});

const env = { ANTHROPIC_API_KEY: "", OPENAI_API_KEY: "" };

describe("lf status", () => {
  it("reports up, slow, hanging, down and keyless models, and exits 0 when the default is reachable", async () => {
    const result = await runCli(["status", "--project", project("up"), "--timeout", "2500", "--slow", "700"], { env });
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    const line = (name: string) => lines.find((l) => new RegExp(`^\\S+\\s+${name}\\b`).test(l)) ?? "";
    expect(line("up")).toMatch(/^ok\s+up \(default\)\s+ollama\/llama3\.1:8b\s+\d+ ms\s+rpm 60 maxConcurrent 2/);
    expect(line("slow")).toMatch(/^slow\s+slow\s+openai\/slow-model\s+(key: none\s+)?\d+ ms/);
    expect(line("hanging")).toMatch(/^down\s+hanging/);
    expect(result.stdout).toContain("no answer within 2500 ms");
    expect(line("down")).toMatch(/^down\s+down/);
    expect(result.stdout).toMatch(/cannot reach Ollama at http:\/\/127\.0\.0\.1:9/);
    expect(line("nokey")).toMatch(/^down\s+nokey\s+anthropic\/claude-sonnet-4-5\s+key: none/);
    expect(result.stdout).toMatch(/ANTHROPIC_API_KEY/);
    expect(line("auto")).toMatch(/router least-busy over down, up/);
    expect(result.stdout).toContain("default model up: reachable");
    expect(result.stdout).not.toMatch(/\u001b\[/); // plain text when piped
  });

  it("exits 1 when the default model cannot be reached", async () => {
    const result = await runCli(["status", "--project", project("down"), "--timeout", "1500"], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("default model down: NOT reachable");
  });

  it("prints JSON for machines, never a key", async () => {
    const result = await runCli(["status", "--project", project("auto"), "--json", "--timeout", "2500", "--slow", "700"], {
      env: { ANTHROPIC_API_KEY: "sk-ant-secret-value-123456" },
    });
    expect(result.code).toBe(0); // the router reaches "up"
    expect(result.stdout).not.toContain("sk-ant-secret-value-123456");
    const status = JSON.parse(result.stdout);
    const byName = Object.fromEntries(status.models.map((m: { name: string }) => [m.name, m]));
    expect(byName.up).toMatchObject({ health: "ok", circuit: "closed", provider: "ollama" });
    expect(byName.slow).toMatchObject({ health: "slow" });
    expect(byName.down).toMatchObject({ health: "down" });
    expect(byName.nokey.key).toMatchObject({ present: true, from: "env", envVar: "ANTHROPIC_API_KEY" });
    expect(status.defaultReachable).toBe(true);
  });
});
