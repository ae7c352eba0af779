import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { ModelFileServer } from "../helpers/model-file-server.js";
import { repoRoot, runCli } from "../helpers/run-cli.js";
import { buildTinyGguf } from "../helpers/tiny-gguf.js";

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider();
});
beforeEach(() => fake.reset());
afterAll(() => fake.close());

/** `lf init` into a fresh folder; returns the folder and the commands it says to run next. */
async function init(template: string): Promise<{ dir: string; next: string[]; stdout: string }> {
  const dir = join(mkdtempSync(join(tmpdir(), `lf-init-${template}-`)), "app");
  const result = await runCli(["init", dir, "--template", template]);
  expect(result.code, result.stderr).toBe(0);
  const next = result.stdout.split("next:\n")[1]!.split("\n").map((l) => l.replace(/#.*$/, "").trim()).filter((l) => l !== "");
  return { dir, next, stdout: result.stdout };
}

async function expectValid(dir: string, env: Record<string, string> = {}): Promise<string> {
  const validated = await runCli(["validate", join(dir, "llamafarm.yaml")], { env });
  expect(validated.code, validated.stdout + validated.stderr).toBe(0);
  return validated.stdout + validated.stderr;
}

describe("lf init --template", () => {
  it("writes .gitignore entries for .lf/ and .env, adding to a .gitignore that exists, and refuses an unknown template", async () => {
    const { dir } = await init("hybrid");
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toMatch(/^\.lf\/\n\.env\n$/m);
    const other = join(mkdtempSync(join(tmpdir(), "lf-init-ignore-")), "app");
    mkdirSync(other);
    writeFileSync(join(other, ".gitignore"), "node_modules\n.env");
    expect((await runCli(["init", other])).code).toBe(0);
    expect(readFileSync(join(other, ".gitignore"), "utf8")).toBe("node_modules\n.env\n.lf/\n");

    const unknown = await runCli(["init", join(other, "x"), "--template", "desktop"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('there is no template "desktop"; the templates are local, hybrid, cloud, mcp');
  });

  it("hybrid (the default): names OLLAMA_HOST and OPENAI_API_KEY, and answers from the local model", async () => {
    const { dir, next } = await init("hybrid");
    expect(next).toEqual([`cd ${dir}`, "ollama pull llama3.1:8b", 'lf chat "Hello"']);
    const example = readFileSync(join(dir, ".env.example"), "utf8");
    expect(example).toContain("# OLLAMA_HOST=http://localhost:11434");
    expect(example).toMatch(/^OPENAI_API_KEY=$/m);
    await expectValid(dir);
    fake.script("llama3.1:8b", "Hello from the local model");
    const chat = await runCli(["chat", "Hello"], { cwd: dir, env: { OLLAMA_HOST: fake.url } });
    expect(chat.code, chat.stderr).toBe(0);
    expect(chat.stdout).toBe("Hello from the local model\n");
    expect(fake.requests[0]!.path).toBe("/api/chat");
  });

  it("cloud: OpenAI answers, and Anthropic when OpenAI fails", async () => {
    const { dir } = await init("cloud");
    const example = readFileSync(join(dir, ".env.example"), "utf8");
    for (const variable of ["OPENAI_API_KEY", "ANTHROPIC_API_KEY"]) expect(example).toMatch(new RegExp(`^${variable}=$`, "m"));
    for (const variable of ["OPENAI_BASE_URL", "ANTHROPIC_BASE_URL"]) expect(example).toContain(`# ${variable}=https://`);
    await expectValid(dir);
    const env = { OPENAI_BASE_URL: `${fake.url}/v1`, ANTHROPIC_BASE_URL: fake.url };
    fake.script("gpt-4o-mini", "From OpenAI");
    const first = await runCli(["chat", "Hello"], { cwd: dir, env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe("From OpenAI\n");
    fake.always("gpt-4o-mini", { fault: "status", status: 503 });
    fake.script("claude-sonnet-4-5", "From Anthropic");
    const second = await runCli(["chat", "Hello"], { cwd: dir, env });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toBe("From Anthropic\n");
  });

  it("mcp: the filesystem server lists its tools, and the model reads the notes file through it", async () => {
    const { dir, next } = await init("mcp");
    expect(next.slice(1)).toEqual(["lf mcp", 'lf chat "What is in the notes file?"']);
    expect(readFileSync(join(dir, "data", "notes.md"), "utf8")).toContain("# Notes");
    // The server comes from npm through npx: the installed copy, and never the registry, in a test.
    symlinkSync(join(repoRoot, "node_modules"), join(dir, "node_modules"));
    const env = { OLLAMA_HOST: fake.url, npm_config_offline: "true", npm_config_update_notifier: "false" };
    await expectValid(dir, env);
    const mcp = await runCli(["mcp"], { cwd: dir, env, timeoutMs: 60_000 });
    expect(mcp.code, mcp.stdout + mcp.stderr).toBe(0);
    expect(mcp.stdout).toMatch(/✓ files +stdio +ready +\d+ tools +models: assistant/);
    expect(mcp.stdout).toContain("read_text_file");

    fake.script("qwen2.5:7b", { toolCalls: [{ name: "files__read_text_file", arguments: { path: join(dir, "data", "notes.md") } }] }, "The notes describe the data folder.");
    const chat = await runCli(["chat", "What is in the notes file?"], { cwd: dir, env, timeoutMs: 60_000 });
    expect(chat.code, chat.stderr).toBe(0);
    expect(chat.stdout).toBe("The notes describe the data folder.\n");
    expect(chat.stderr).toContain("→ files.read_text_file(");
    const fed = JSON.stringify(fake.requests[1]!.body);
    expect(fed).toContain("The files in this folder are what the model can read");
  }, 120_000);

  it("local: the model file comes from lf models pull, and the model answers in-process", async () => {
    const { dir, next } = await init("local");
    expect(next).toEqual([`cd ${dir}`, "lf models pull hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf", 'lf chat "Hello"']);
    const cache = mkdtempSync(join(tmpdir(), "lf-init-local-models-"));
    // A stand-in for Hugging Face on 127.0.0.1 serves the tiny synthesized GGUF under the real name.
    const hub = await ModelFileServer.start();
    try {
      const gguf = buildTinyGguf({ seed: 11 }).buffer;
      const sha = createHash("sha256").update(gguf).digest("hex");
      hub.serve("/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q4_k_m.gguf", {
        body: gguf,
        headers: { etag: `"${sha}"`, "x-linked-size": String(gguf.length) },
      });
      const env = { LF_MODELS_DIR: cache, LF_HF_ENDPOINT: hub.url };
      expect(await expectValid(dir, env)).toContain("download it with lf models pull hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf");
      const before = await runCli(["chat", "Hello"], { cwd: dir, env });
      expect(before.code).toBe(1);
      expect(before.stderr).toContain("local's model file is not downloaded yet: run lf models pull hf:Qwen/");
      const status = await runCli(["status"], { cwd: dir, env });
      expect(status.code).toBe(1);
      expect(status.stdout).toContain("; run lf models pull hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q4_k_m.gguf");

      const pull = await runCli(next[1]!.split(" ").slice(1), { cwd: dir, env });
      expect(pull.code, pull.stderr).toBe(0);
      expect(pull.stdout).toContain("matches the one its source publishes");
      expect(await expectValid(dir, env)).toContain("0 warnings");
      expect(existsSync(join(cache, "huggingface", "Qwen", "Qwen2.5-0.5B-Instruct-GGUF", "main", "qwen2.5-0.5b-instruct-q4_k_m.gguf"))).toBe(true);

      // The tiny model talks until max_tokens (512 in the template): a few seconds of real llama.cpp work.
      const chat = await runCli(["chat", "Hello"], { cwd: dir, env, timeoutMs: 90_000 });
      expect(chat.code, chat.stderr).toBe(0);
      expect(chat.stdout.trim().length).toBeGreaterThan(0);
    } finally {
      await hub.close();
    }
  }, 150_000);
});
