import { spawn, type ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { repoRoot, runCli } from "../helpers/run-cli.js";
import { freePort } from "../tools/support/servers.js";

const examplesDir = join(repoRoot, "examples");
const examples = readdirSync(examplesDir).filter((name) => existsSync(join(examplesDir, name, "llamafarm.yaml")));

/** What the default model of each example is, as the provider sees it: its wire path and model id. */
const DEFAULT_CALL: Record<string, { path: string; model: string }> = {
  "basic-multi-model": { path: "/api/chat", model: "llama3.1:8b" },
  "fallback-chain": { path: "/v1/chat/completions", model: "gpt-4o" },
  "local-cloud-hybrid": { path: "/api/chat", model: "llama3.1:8b" },
  "multi-tool-mcp": { path: "/api/chat", model: "llama3.1:8b" },
  router: { path: "/api/chat", model: "llama3.2:1b" },
  "speed-tiers": { path: "/api/chat", model: "llama3.1:8b" },
  "task-specific": { path: "/api/chat", model: "llama3.1:8b" },
};

let fake: FakeProvider;
let env: Record<string, string>;

beforeAll(async () => {
  fake = await startFakeProvider();
  // The variables the examples already read for their servers point every model at the fake provider.
  env = {
    OLLAMA_HOST: fake.url,
    OPENAI_BASE_URL: `${fake.url}/v1`,
    ANTHROPIC_BASE_URL: fake.url,
    OPENAI_API_KEY: "",
    ANTHROPIC_API_KEY: "",
    // npx finds the filesystem server installed here, never in the registry.
    npm_config_offline: "true",
    npm_config_update_notifier: "false",
  };
});
beforeEach(() => fake.reset());
afterAll(() => fake.close());

/** A copy of the example, so the usage ledger it writes (.lf/) stays out of the repository. */
function copyOf(example: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), `lf-example-${example}-`)), example);
  cpSync(join(examplesDir, example), dir, { recursive: true });
  symlinkSync(join(repoRoot, "node_modules"), join(dir, "node_modules"));
  return dir;
}

/** The example's own database server, on a free port. */
async function startDatabase(): Promise<{ url: string; child: ChildProcess; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(examplesDir, "multi-tool-mcp", "database-server.mjs")], { env: { ...process.env, PORT: String(port) }, stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`database-server.mjs exited with ${code}`)));
  });
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
  return { url: `http://127.0.0.1:${port}/mcp`, child, stop };
}

describe("every example", () => {
  it("has a README that says what it shows, what it needs and the commands", () => {
    for (const example of examples) {
      const readme = readFileSync(join(examplesDir, example, "README.md"), "utf8");
      expect(readme.startsWith(`# ${example}\n`), example).toBe(true);
      expect(readme, example).toContain("**Needs**");
      expect(commandsOf(readme), example).toContain("lf validate");
      expect(DEFAULT_CALL[example], `${example} is missing from DEFAULT_CALL`).toBeDefined();
    }
  });

  it.each(examples)("%s: its default model answers lf chat, and every lf command of its README works", async (example) => {
    const dir = copyOf(example);
    const chat = await runCli(["chat", "Hello"], { cwd: dir, env, timeoutMs: 60_000 });
    expect(chat.code, chat.stderr).toBe(0);
    expect(chat.stdout.trim()).not.toBe("");
    const call = fake.requests.find((r) => r.model !== undefined)!;
    expect({ path: call.path, model: call.model }).toEqual(DEFAULT_CALL[example]);

    const database = example === "multi-tool-mcp" ? await startDatabase() : undefined;
    try {
      for (const command of commandsOf(readFileSync(join(dir, "README.md"), "utf8"))) {
        // `lf serve` runs until stopped; the server has tests of its own.
        if (command.startsWith("lf serve")) continue;
        const result = await runCli(shellWords(command).slice(1), { cwd: dir, env: { ...env, ...(database ? { DATABASE_MCP_URL: database.url } : {}) }, timeoutMs: 60_000 });
        expect(result.code, `${example}: ${command}\n${result.stdout}${result.stderr}`).toBe(0);
      }
    } finally {
      await database?.stop();
    }
  }, 180_000);
});

describe("multi-tool-mcp", () => {
  it("lf mcp: both servers ready, each with its tools and the models that may use them", async () => {
    const database = await startDatabase();
    try {
      const mcp = await runCli(["mcp", "--json"], { cwd: copyOf("multi-tool-mcp"), env: { ...env, DATABASE_MCP_URL: database.url }, timeoutMs: 60_000 });
      expect(mcp.code, mcp.stdout + mcp.stderr).toBe(0);
      const servers = JSON.parse(mcp.stdout) as Array<{ name: string; state: string; tools: string[]; models: string[] }>;
      expect(servers.map((s) => [s.name, s.state, s.models])).toEqual([
        ["filesystem", "ready", ["assistant", "power-user"]],
        ["database", "ready", ["data-analyst", "power-user"]],
      ]);
      expect(servers[0]!.tools).toContain("read_text_file");
      expect(servers[1]!.tools).toEqual(["list_tables", "query", "execute"]);
    } finally {
      await database.stop();
    }
  }, 90_000);

  it("lf mcp names the URL of a database server that is not running", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/mcp`;
    const mcp = await runCli(["mcp"], { cwd: copyOf("multi-tool-mcp"), env: { ...env, DATABASE_MCP_URL: url }, timeoutMs: 60_000 });
    expect(mcp.code).toBe(1);
    expect(mcp.stdout).toMatch(/✓ filesystem +stdio +ready/);
    expect(mcp.stdout).toMatch(/✗ database +http +failed/);
    expect(mcp.stdout).toContain(`${url}: fetch failed (connect ECONNREFUSED 127.0.0.1:${port})`);
  }, 90_000);

  it("the data analyst queries the database through its read tools only", async () => {
    const database = await startDatabase();
    try {
      fake.script(
        "qwen2.5:7b",
        { toolCalls: [{ name: "database__query", arguments: { sql: "SELECT c.name, SUM(o.amount) AS spent FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.id ORDER BY spent DESC LIMIT 1" } }] },
        "Katherine Johnson spent the most.",
      );
      const chat = await runCli(["chat", "--model", "data-analyst", "Which customer spent the most?"], { cwd: copyOf("multi-tool-mcp"), env: { ...env, DATABASE_MCP_URL: database.url }, timeoutMs: 60_000 });
      expect(chat.code, chat.stderr).toBe(0);
      expect(chat.stdout).toBe("Katherine Johnson spent the most.\n");
      const offered = (fake.requests[0]!.body as { tools: Array<{ function: { name: string } }> }).tools.map((t) => t.function.name);
      expect(offered.sort()).toEqual(["database__list_tables", "database__query"]);
      expect(JSON.stringify(fake.requests[1]!.body)).toContain('\\"spent\\": 58');
    } finally {
      await database.stop();
    }
  }, 90_000);
});

/** The `lf` command lines of a README's sh blocks, without their comments or a leading VAR=value. */
function commandsOf(readme: string): string[] {
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((block) => block.split("\n"))
    .map((line) => line.replace(/\s+#.*$/, "").replace(/^([A-Z_]+=\S+\s+)+/, "").trim())
    .filter((line) => line.startsWith("lf "));
}

function shellWords(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}
