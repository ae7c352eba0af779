import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadProjectFile, parseProject } from "../../runtime/config/index.js";

const base = `version: v1
name: demo
namespace: default
`;

function load(text: string, env: Record<string, string> = {}) {
  return parseProject(text, "/virtual/llamafarm.yaml", { env, dotenv: false });
}

describe("loading a project", () => {
  it("fills defaults from the schema and resolves prompts, durations and the default model", () => {
    const result = load(`${base}
prompts:
  - name: a
    messages: [{ role: system, content: "first" }]
  - name: b
    messages: [{ role: system, content: "second" }, { role: user, content: "seeded" }]
runtime:
  timeouts: { total: 2m }
  models:
    - name: x
      provider: ollama
      model: llama3.1:8b
      prompts: [b, a]
      model_api_parameters: { temperature: 0.2, stop: "END" }
      timeouts: { first_token: 1500 }
      limits: { min_interval: 250ms }
    - name: y
      provider: openai
      model: gpt-4o
      default: true
`);
    expect(result.issues).toEqual([]);
    const project = result.project!;
    expect(project.defaultModel).toBe("y");
    const x = project.models.get("x")!;
    expect(x.promptMessages.map((m) => m.content)).toEqual(["second", "seeded", "first"]);
    expect(x.parameters).toEqual({ temperature: 0.2, stop: ["END"] });
    expect(x.timeouts).toEqual({ connectMs: 10_000, firstTokenMs: 1500, idleMs: 30_000, totalMs: 120_000 });
    expect(x.limits.minIntervalMs).toBe(250);
    expect(x.retries.maxAttempts).toBe(2);
    expect(x.capabilities).toEqual({ tools: true, vision: false, json: true, embeddings: false });
    expect(project.raw.server).toEqual({
      host: "127.0.0.1",
      port: 8000,
      body_limit: "4mb",
      allowed_hosts: [],
      cors: { origins: [] },
      timeouts: { headers: "10s", request: "30s", keep_alive: "65s" },
      max_connections: 1024,
      max_connections_per_client: 64,
      console: true,
    });
    expect(project.maxToolIterations).toBe(10);
  });

  it("freezes the loaded config", () => {
    const project = load(`${base}runtime:\n  models:\n    - { name: a, provider: ollama, model: m }\n`).project!;
    expect(Object.isFrozen(project)).toBe(true);
    expect(Object.isFrozen(project.models.get("a")!.parameters)).toBe(true);
    expect(() => (project.models as Map<string, unknown>).set("b", {})).toThrow(/read-only/);
    expect(() => {
      (project as { name: string }).name = "changed";
    }).toThrow();
  });

  it("substitutes ${env:VAR}, ${VAR} and ${VAR:-default}, and keeps secrets out of messages", () => {
    const result = load(
      `${base}runtime:
  models:
    - name: a
      provider: openai
      model: \${MODEL_ID:-gpt-4o-mini}
      base_url: \${BASE}/v1
      api_key: \${env:SECRET_KEY}
`,
      { SECRET_KEY: "sk-test-very-secret-value", BASE: "http://127.0.0.1:9" },
    );
    const model = result.project!.models.get("a")!;
    expect(model.modelId).toBe("gpt-4o-mini");
    expect(model.baseUrl).toBe("http://127.0.0.1:9/v1");
    expect(model.apiKey).toBe("sk-test-very-secret-value");
    expect(result.project!.secrets).toContain("sk-test-very-secret-value");
  });

  it("reports a missing variable with its name and line, never an empty string", () => {
    const result = load(`${base}runtime:\n  models:\n    - name: a\n      provider: openai\n      model: gpt\n      api_key: \${env:NOT_SET_ANYWHERE}\n`);
    expect(result.project).toBeUndefined();
    expect(result.issues).toMatchObject([
      { severity: "error", path: "runtime.models[0].api_key", line: 9, column: 16, message: expect.stringContaining("NOT_SET_ANYWHERE") },
    ]);
  });

  it("reads .env beside the project file, with the process environment taking precedence", () => {
    const dir = mkdtempSync(join(tmpdir(), "lf-env-"));
    writeFileSync(join(dir, ".env"), "FROM_DOTENV=gpt-from-dotenv\nBOTH=from-dotenv\n");
    writeFileSync(
      join(dir, "llamafarm.yaml"),
      `${base}runtime:\n  models:\n    - { name: a, provider: openai, model: "\${FROM_DOTENV}", base_url: "http://\${BOTH}" }\n`,
    );
    const result = loadProjectFile(join(dir, "llamafarm.yaml"), { env: { BOTH: "from-env" } });
    expect(result.issues).toEqual([]);
    expect(result.project!.models.get("a")!.modelId).toBe("gpt-from-dotenv");
    expect(result.project!.models.get("a")!.baseUrl).toBe("http://from-env");
  });

  it("never echoes a secret in a finding", () => {
    const result = load(
      `${base}runtime:\n  models:\n    - name: a\n      provider: openai\n      model: gpt\n      api_key: \${KEY}\n      headers: { X-Token: "\${KEY}" }\n      temperature: 1\n`,
      { KEY: "sk-super-secret-123456" },
    );
    expect(JSON.stringify(result.issues)).not.toContain("sk-super-secret");
    expect(result.issues[0]!.message).toMatch(/unknown field "temperature"/);
  });

  it("warns about a literal API key written in the file", () => {
    const result = load(`${base}runtime:\n  models:\n    - { name: a, provider: openai, model: gpt, api_key: sk-abcdefghijklmnopqrstuvwxyz }\n`);
    expect(result.project).toBeDefined();
    expect(result.issues).toMatchObject([{ severity: "warning", message: expect.stringMatching(/written in the file/) }]);
    expect(JSON.stringify(result.issues)).not.toContain("abcdefghij");
  });

  it("checks routers: members resolve, no provider of their own, no router cycles", () => {
    const result = load(`${base}runtime:
  models:
    - name: auto
      provider: ollama
      router:
        strategy: least-busy
        models: [a, inner, ghost]
    - name: inner
      router: { strategy: simple-shuffle, models: [auto, a] }
    - { name: a, provider: ollama, model: m }
`);
    const messages = result.issues.map((i) => `${i.path}: ${i.message}`);
    expect(messages).toContain('runtime.models[0].provider: a router picks among other models and has no "provider" of its own');
    expect(messages).toContain('runtime.models[0].router.models[2]: no model named "ghost"');
    expect(messages.some((m) => m.includes("cycle: auto -> inner -> auto"))).toBe(true);
  });

  it("resolves capabilities.embeddings, and refuses it where no embeddings API exists", () => {
    const result = load(`${base}runtime:
  models:
    - { name: vec, provider: ollama, model: nomic-embed-text, capabilities: { embeddings: true } }
    - { name: claude, provider: anthropic, model: claude-m, api_key: k, capabilities: { embeddings: true } }
`);
    const errors = result.issues.filter((i) => i.severity === "error");
    expect(errors).toEqual([
      expect.objectContaining({ path: "runtime.models[1].capabilities.embeddings", line: 7, column: 101, message: expect.stringContaining("Anthropic's API serves no embeddings") }),
    ]);
  });

  it("warns about parameters a provider cannot take instead of dropping them silently", () => {
    const result = load(`${base}runtime:
  models:
    - name: a
      provider: anthropic
      model: claude
      model_api_parameters: { temperature: 0.1, seed: 3, frequency_penalty: 0.5 }
    - name: b
      provider: openai
      model: gpt
      model_api_parameters: { top_k: 4, logprobs: true }
`);
    expect(result.project).toBeDefined();
    expect(result.issues.map((i) => i.message)).toEqual([
      'anthropic does not take "seed"; it is not sent',
      'anthropic does not take "frequency_penalty"; it is not sent',
      'openai does not take "top_k"; it is not sent',
    ]);
  });

  it("checks MCP servers have what their transport needs", () => {
    const result = load(`${base}mcp:
  servers:
    - { name: fs, transport: stdio }
    - { name: db, transport: http }
runtime:
  models:
    - { name: a, provider: ollama, model: m, mcp_servers: [fs, { server: db, tools: [query] }] }
`);
    expect(result.issues.map((i) => `${i.line}: ${i.message}`)).toEqual([
      '6: a stdio server needs "command"',
      '7: an http server needs "base_url"',
    ]);
  });

  // The speed figure itself is measured by the benchmark (bench/), not here: this guards against
  // quadratic checks with a bound far above it, so a busy machine cannot make it flake.
  it("loads a 1,000-model file without quadratic blow-ups", () => {
    let text = `${base}runtime:\n  models:\n`;
    for (let i = 0; i < 1000; i++) {
      const fallbacks = i < 999 ? `[model-${i + 1}]` : "[]";
      text += `    - name: model-${i}\n      provider: ${i % 2 ? "ollama" : "openai"}\n      model: m-${i}\n      fallbacks: ${fallbacks}\n      model_api_parameters: { temperature: 0.5 }\n`;
    }
    const started = performance.now();
    const result = load(text);
    const elapsed = performance.now() - started;
    expect(result.issues.filter((i) => i.severity === "error")).toEqual([]);
    expect(result.project!.models.size).toBe(1000);
    expect(elapsed).toBeLessThan(5000);
  });
});
