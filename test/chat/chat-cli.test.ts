import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { runCli } from "../helpers/run-cli.js";
import { writeTinyGguf } from "../helpers/tiny-gguf.js";

let fake: FakeProvider;
let dir: string;
let projectFile: string;
const env = { OPENAI_API_KEY: "sk-test-openai-0123456789", CLAUDE_KEY: "sk-ant-test-0123456789", LF_DEBUG: "" };

beforeAll(async () => {
  fake = await startFakeProvider();
  dir = mkdtempSync(join(tmpdir(), "lf-chat-"));
  await writeTinyGguf(join(dir, "tiny.gguf"), { seed: 7 });
  projectFile = join(dir, "llamafarm.yaml");
  writeFileSync(
    projectFile,
    `version: v1
name: chat-test
namespace: tests
prompts:
  - name: base
    messages:
      - role: system
        content: You are terse. Speak {{lang | English}}.
  - name: expert
    messages:
      - role: system
        content: You are an expert.
      - role: user
        content: Example question
      - role: assistant
        content: Example answer
runtime:
  default_model: local
  models:
    - name: local
      provider: ollama
      model: llama3.1:8b
      base_url: ${fake.url}
      prompt: base
      model_api_parameters: { temperature: 0.4, num_ctx: 2048, top_k: 20, max_tokens: 64 }
    - name: expert
      provider: openai
      model: gpt-4o-mini
      base_url: ${fake.url}/v1
      api_key: \${env:OPENAI_API_KEY}
      prompts: [base, expert]
      model_api_parameters: { temperature: 0.2, max_tokens: 300, seed: 42, stop: ["END"] }
    - name: claude
      provider: anthropic
      model: claude-sonnet-4-5
      base_url: ${fake.url}
      api_key: \${env:CLAUDE_KEY}
      prompt: base
      model_api_parameters: { temperature: 0.1, max_tokens: 200, top_k: 5 }
    - name: gguf
      provider: llamacpp
      model: ./tiny.gguf
      llamacpp: { threads: 1 }
      model_api_parameters: { max_tokens: 12, seed: 1, temperature: 0 }
    - name: down
      provider: ollama
      model: llama3.1:8b
      base_url: http://127.0.0.1:9
`,
  );
});

afterAll(async () => {
  await fake?.close();
});

function lastRequest() {
  return fake.requests[fake.requests.length - 1]!;
}

describe("lf chat", () => {
  it("streams from Ollama with the model's prompt, parameters and model id", async () => {
    fake.script("llama3.1:8b", { text: "Hello from the local model", chunkDelayMs: 5 });
    const result = await runCli(["chat", "--project", projectFile, "--var", "lang=French", "Say hi"], { env });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("Hello from the local model\n");
    const request = lastRequest();
    expect(request.format).toBe("ollama");
    expect(request.body).toMatchObject({
      model: "llama3.1:8b",
      stream: true,
      messages: [
        { role: "system", content: "You are terse. Speak French." },
        { role: "user", content: "Say hi" },
      ],
      options: { temperature: 0.4, num_ctx: 2048, top_k: 20, num_predict: 64 },
    });
  });

  it("streams from an OpenAI-compatible server with merged prompts, mapped parameters and the key from ${env:...}", async () => {
    fake.script("gpt-4o-mini", { text: "Expert answer", chunks: 3 });
    const result = await runCli(["chat", "--project", projectFile, "--model", "expert", "Compare these designs"], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("Expert answer\n");
    const request = lastRequest();
    expect(request.format).toBe("openai");
    expect(request.headers.authorization).toBe("Bearer sk-test-openai-0123456789");
    expect(request.body).toMatchObject({
      model: "gpt-4o-mini",
      stream: true,
      temperature: 0.2,
      max_tokens: 300,
      seed: 42,
      stop: ["END"],
      messages: [
        { role: "system", content: "You are terse. Speak English.\n\nYou are an expert." },
        { role: "user", content: "Example question" },
        { role: "assistant", content: "Example answer" },
        { role: "user", content: "Compare these designs" },
      ],
    });
  });

  it("streams from Anthropic with the system prompt apart and the key from ${env:...}", async () => {
    fake.script("claude-sonnet-4-5", { text: "Claude says hi" });
    const result = await runCli(["chat", "--project", projectFile, "-m", "claude", "hello"], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("Claude says hi\n");
    const request = lastRequest();
    expect(request.format).toBe("anthropic");
    expect(request.headers["x-api-key"]).toBe("sk-ant-test-0123456789");
    expect(request.body).toMatchObject({
      model: "claude-sonnet-4-5",
      system: "You are terse. Speak English.",
      max_tokens: 200,
      temperature: 0.1,
      top_k: 5,
      stream: true,
      messages: [{ role: "user", content: [{ type: "text", text: "hello" }] }],
    });
  });

  it("streams from a GGUF file run in-process by llama.cpp", async () => {
    const result = await runCli(["chat", "--project", projectFile, "--model", "gguf", "--verbose", "hi"], { env, timeoutMs: 60_000 });
    expect(result.code).toBe(0);
    expect(result.stdout.trim().length).toBeGreaterThan(0);
    expect(result.stderr).toMatch(/model: gguf \(provider llamacpp\)/);
    expect(result.stderr).toMatch(/tokens: \d+ in, \d+ out/);
  }, 90_000);

  it("reads the message from stdin when it is piped", async () => {
    fake.script("llama3.1:8b", "piped answer");
    const result = await runCli(["chat", "--project", projectFile], { env, input: "a question from a pipe\n" });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("piped answer\n");
    expect((lastRequest().body as { messages: Array<{ content: string }> }).messages.at(-1)!.content).toBe("a question from a pipe");
  });

  it("prints the final OpenAI-shaped response with --json", async () => {
    fake.script("gpt-4o-mini", { text: "json answer", usage: { inputTokens: 12, outputTokens: 3 } });
    const result = await runCli(["chat", "--project", projectFile, "-m", "expert", "--json", "q"], { env });
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body).toMatchObject({
      object: "chat.completion",
      model: "expert",
      choices: [{ index: 0, message: { role: "assistant", content: "json answer" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
    });
  });

  it("reports model, provider, tokens and timings with --verbose", async () => {
    fake.script("gpt-4o-mini", { text: "verbose answer", usage: { inputTokens: 20, outputTokens: 2 } });
    const result = await runCli(["chat", "--project", projectFile, "-m", "expert", "--verbose", "q"], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("verbose answer\n");
    expect(result.stderr).toMatch(/model: expert \(provider openai\)/);
    expect(result.stderr).toMatch(/tokens: 20 in, 2 out/);
    expect(result.stderr).toMatch(/time to first token: \d+ ms, total: \d+ ms/);
  });

  it("prints the request as a curl command with --dry-run, the key masked, and sends nothing", async () => {
    const before = fake.requests.length;
    const result = await runCli(["chat", "--project", projectFile, "-m", "expert", "--dry-run", "what would you send?"], { env });
    expect(result.code).toBe(0);
    expect(fake.requests.length).toBe(before);
    expect(result.stdout).toContain(`curl -X POST '${fake.url}/v1/chat/completions'`);
    expect(result.stdout).toContain('"model": "gpt-4o-mini"');
    expect(result.stdout).toContain("what would you send?");
    expect(result.stdout).not.toContain("sk-test-openai-0123456789");
    expect(result.stdout).toMatch(/Authorization: Bearer sk-…\*\*\*\*/i);
  });

  it("lists the available models for an unknown one and exits 2", async () => {
    const result = await runCli(["chat", "--project", projectFile, "-m", "exprt", "hi"], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no model "exprt" \(did you mean "expert"\?\)\. Models: local, expert, claude, gguf, down/);
  });

  it("says which URL could not be reached, why, and what to do; exits 1", async () => {
    const result = await runCli(["chat", "--project", projectFile, "-m", "down", "hi"], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("http://127.0.0.1:9");
    expect(result.stderr).toMatch(/ollama serve/);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  it("exits 2 on a config error, with the finding's position", async () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "version: v1\nname: x\nnamespace: y\nruntime:\n  models:\n    - name: a\n      provider: olama\n      model: m\n");
    const result = await runCli(["chat", "--project", bad, "hi"], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/bad\.yaml:7:17: error runtime\.models\[0\]\.provider: must be one of/);
  });

  it("records every request in the project's usage ledger, which lf usage reports", async () => {
    const result = await runCli(["usage", "--project", projectFile, "--json"], { env });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    const expert = report.rows.find((r: { key: string }) => r.key === "expert");
    // --json, --verbose and the streaming test each asked "expert"; --dry-run sent nothing.
    expect(expert).toMatchObject({ calls: 3, failures: 0 });
    const down = report.rows.find((r: { key: string }) => r.key === "down");
    expect(down).toMatchObject({ calls: 1, failures: 1 });
  });
});
