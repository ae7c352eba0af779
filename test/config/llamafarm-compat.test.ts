import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { LLAMAFARM_FIELDS, type FieldPlace } from "../../runtime/config/llamafarm-fields.js";
import { startFakeProvider, type FakeProvider, type RecordedRequest } from "../fake-provider/index.js";
import { repoRoot, runCli } from "../helpers/run-cli.js";
import { startTestServer, type TestServer } from "../server/support.js";
import { EVERYTHING_BIN, freePort } from "../tools/support/servers.js";

/**
 * Project files written as each LlamaFarm release line wrote them load with a warning per part lf does
 * not use, and answer through the fake provider by `lf chat` and by the API.
 */
const FIXTURES = join(repoRoot, "test/fixtures/llamafarm");

interface Case {
  file: string;
  /** The path of every warning `lf validate` must print, and no other. */
  warnings: string[];
  project: string;
  /** The provider's model id the default model sends. */
  modelId: string;
  /** The system prompt the model must send, when the case says. */
  system?: string;
}

const CASES: Case[] = [
  {
    file: "v0.0.1.yaml",
    warnings: ["models", "rag", "datasets"],
    project: "default/lf-0-0-1",
    modelId: "qwen2.5:7b",
    system: "# IDENTITY and PURPOSE\n- You are a helpful assistant that answers questions about llamas.\n\n# STYLE\n- Answer in one sentence.",
  },
  {
    file: "v0.0.2-v0.0.7.yaml",
    warnings: ["rag", "datasets", "runtime.instructor_mode", "runtime.prompt_format"],
    project: "default/lf-0-0-5",
    modelId: "llama3.2:3b",
    system: "You are a helpful assistant for a llama farm.\n\nKeep every answer short.",
  },
  {
    file: "v0.0.8-v0.0.9.yaml",
    warnings: [
      "runtime.models[0].provider_config",
      "runtime.models[1].prompt_format",
      "runtime.models[1].instructor_mode",
      "runtime.models[1].lemonade.backend",
      "runtime.models[1].lemonade.context_size",
    ],
    project: "default/lf-0-0-9",
    modelId: "gemma3:1b",
    system: "You are a helpful assistant for a llama farm.\n\nKeep every answer under twenty words.",
  },
  {
    file: "v0.0.10-v0.0.14.yaml",
    warnings: ["runtime.models[0].think"],
    project: "default/lf-0-0-12",
    modelId: "Qwen/Qwen2.5-7B-Instruct",
    system: "You are a helpful assistant. Use tools when they help.",
  },
  {
    file: "v0.0.15-v0.0.27.yaml",
    warnings: [
      "components",
      "rag",
      "datasets",
      "voice",
      "runtime.models[0].keep_loaded",
      "runtime.models[0].rag_enabled",
      "runtime.models[0].target_database",
      "runtime.models[1].encoder_config",
    ],
    project: "default/lf-0-0-27",
    modelId: "unsloth/Qwen3-1.7B-GGUF:Q4_K_M",
    system: "You help people fetch data from the API.",
  },
  {
    file: "after-v0.0.27.yaml",
    warnings: ["schema", "agents", "nodes", "router", "memory", "ml", "custom_code", "environments", "runtime.models[0].mcp_servers[0]"],
    project: "default/lf-after-0-0-27",
    modelId: "unsloth/Qwen3-1.7B-GGUF:Q4_K_M",
    system: "You are the farm's site reliability assistant.",
  },
  {
    file: "rag-project.yaml",
    warnings: ["rag", "datasets", "runtime.models[0].instructor_mode"],
    project: "default/rag-project",
    modelId: "Qwen/Qwen2.5-7B-Instruct",
    system: "You answer from the documents.",
  },
];

let fake: FakeProvider;
let dir: string;
let server: TestServer;
const local = new Map<string, string>();

/** The fixture with its local runtimes' addresses pointing at the fake, and npx replaced by the installed server. */
function localize(text: string): string {
  return text
    .replaceAll("http://127.0.0.1:11540", fake.url)
    .replaceAll("http://localhost:11540", fake.url)
    .replaceAll("http://localhost:11434", fake.url)
    .replaceAll("port: 11534", `port: ${fake.port}`)
    .replace('command: npx\n      args: ["-y", "@modelcontextprotocol/server-everything"]', `command: ${JSON.stringify(process.execPath)}\n      args: [${JSON.stringify(EVERYTHING_BIN)}, stdio]`);
}

beforeAll(async () => {
  fake = await startFakeProvider();
  dir = mkdtempSync(join(tmpdir(), "lf-llamafarm-"));
  for (const { file } of CASES) {
    const copy = join(dir, file);
    writeFileSync(copy, localize(readFileSync(join(FIXTURES, file), "utf8")));
    local.set(file, copy);
  }
  server = await startTestServer([...local.values()], { watch: false });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await fake?.close();
});

function systemOf(request: RecordedRequest): string | undefined {
  const messages = (request.body as { messages: Array<{ role: string; content: string }> }).messages;
  return messages.find((m) => m.role === "system")?.content;
}

function warningPaths(stdout: string): string[] {
  return [...stdout.matchAll(/: warning (\S+): /g)].map((m) => m[1]!);
}

describe("LlamaFarm project files, one per release line", () => {
  it("has a fixture for every case and a case for every fixture", () => {
    expect(readdirSync(FIXTURES).filter((f) => f.endsWith(".yaml")).sort()).toEqual(CASES.map((c) => c.file).sort());
  });

  for (const testCase of CASES) {
    describe(testCase.file, () => {
      it("validates with exit 0 and a warning per part lf does not use", async () => {
        const result = await runCli(["validate", join(FIXTURES, testCase.file)]);
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        expect(warningPaths(result.stdout).sort()).toEqual([...testCase.warnings].sort());
        expect(result.stdout).not.toMatch(/: error /);
      });

      it("answers lf chat through the fake provider", async () => {
        fake.script(testCase.modelId, `lf chat answers ${testCase.file}`);
        const before = fake.requests.length;
        const result = await runCli(["chat", "--project", local.get(testCase.file)!, "hello"], { timeoutMs: 60_000 });
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        expect(result.stdout).toBe(`lf chat answers ${testCase.file}\n`);
        const request = fake.requests.slice(before).find((r) => r.model === testCase.modelId)!;
        if (testCase.system !== undefined) expect(systemOf(request)).toBe(testCase.system);
      }, 90_000);

      it("answers the API through the fake provider", async () => {
        fake.script(testCase.modelId, `the API answers ${testCase.file}`);
        // No model named: the project's default answers.
        const answer = await server.client(testCase.project).chat.completions.create({ model: "", messages: [{ role: "user", content: "hello" }] });
        expect(answer.choices[0]!.message.content).toBe(`the API answers ${testCase.file}`);
        expect(fake.requests.at(-1)!.model).toBe(testCase.modelId);
      }, 60_000);
    });
  }
});

describe("the fixtures cover LlamaFarm's schema", () => {
  /** The keys each place uses across the fixtures, read from the files as written. */
  function usedKeys(): Map<FieldPlace, Set<string>> {
    const used = new Map<FieldPlace, Set<string>>(
      (["project", "model", "mcp-server", "legacy-runtime", "legacy-prompt"] as const).map((place) => [place, new Set<string>()]),
    );
    const add = (place: FieldPlace, value: unknown) => {
      if (value && typeof value === "object") for (const key of Object.keys(value)) used.get(place)!.add(key);
    };
    for (const { file } of CASES) {
      const doc = parse(readFileSync(join(FIXTURES, file), "utf8")) as Record<string, any>;
      add("project", doc);
      const runtime = doc.runtime ?? {};
      if (Array.isArray(runtime.models)) for (const model of runtime.models) add("model", model);
      else add("legacy-runtime", runtime);
      for (const server of doc.mcp?.servers ?? []) add("mcp-server", server);
      for (const prompt of doc.prompts ?? []) if (!("messages" in prompt)) add("legacy-prompt", prompt);
    }
    return used;
  }

  it("uses every field and section LlamaFarm defines", () => {
    const used = usedKeys();
    const missing = LLAMAFARM_FIELDS.filter((field) => !used.get(field.place)!.has(field.name)).map((f) => `${f.place}.${f.name}`);
    expect(missing).toEqual([]);
  });
});

describe("what LlamaFarm projects get from lf", () => {
  it("sends a model's YAML tools upstream, filled from the variables, and prints the call for the client", async () => {
    fake.script("unsloth/Qwen3-1.7B-GGUF:Q4_K_M", { toolCalls: [{ name: "fetch_data", arguments: { endpoint: "/herd" } }] });
    const before = fake.requests.length;
    const result = await runCli(["chat", "--project", local.get("v0.0.15-v0.0.27.yaml")!, "--var", "api_name=the herd API", "list the herd"], { timeoutMs: 60_000 });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('tool call for the client: fetch_data({"endpoint":"/herd"})');
    const body = fake.requests[before]!.body as { tools: Array<{ type: string; function: { name: string; description: string; parameters: any } }> };
    expect(body.tools).toEqual([
      {
        type: "function",
        function: {
          name: "fetch_data",
          description: "Fetch data from the herd API",
          parameters: { type: "object", properties: { endpoint: { type: "string", description: "A path under http://localhost:3000" } }, required: ["endpoint"] },
        },
      },
    ]);
  }, 90_000);

  it("returns a call to a YAML tool to an API client as tool_calls, beside the client's own tools", async () => {
    fake.script("unsloth/Qwen3-1.7B-GGUF:Q4_K_M", { toolCalls: [{ name: "fetch_data", arguments: { endpoint: "/x" } }] });
    const answer = await server.client("default/lf-0-0-27").chat.completions.create({
      model: "chat",
      messages: [{ role: "user", content: "fetch /x" }],
      tools: [{ type: "function", function: { name: "client_side", parameters: { type: "object", properties: {} } } }],
    });
    expect(answer.choices[0]!.finish_reason).toBe("tool_calls");
    expect(answer.choices[0]!.message.tool_calls?.[0]).toMatchObject({ type: "function", function: { name: "fetch_data", arguments: '{"endpoint":"/x"}' } });
    const names = (fake.requests.at(-1)!.body as { tools: Array<{ function: { name: string } }> }).tools.map((t) => t.function.name);
    expect(names).toEqual(["fetch_data", "client_side"]);
  });

  it("tools_mode config_only drops the client's tools; prompts_mode api_replace puts the client's system message in place of the prompt sets", async () => {
    fake.script("unsloth/Qwen3-1.7B-GGUF:Q4_K_M", "ok");
    await server.client("default/lf-after-0-0-27").chat.completions.create({
      model: "agent",
      messages: [
        { role: "system", content: "You are the client's own assistant." },
        { role: "user", content: "restart the barn service" },
      ],
      tools: [{ type: "function", function: { name: "client_side", parameters: { type: "object", properties: {} } } }],
    });
    const body = fake.requests.at(-1)!.body as { tools: Array<{ function: { name: string } }>; messages: Array<{ role: string; content: string }> };
    expect(body.tools.map((t) => t.function.name)).toEqual(["restart_service"]);
    expect(body.messages.filter((m) => m.role === "system").map((m) => m.content)).toEqual(["You are the client's own assistant."]);
  });

  it("sends a Lemonade model to its lemonade.port when it has no base_url", async () => {
    fake.script("Qwen2.5-0.5B-Instruct-GGUF", "lemonade answers");
    const result = await runCli(["chat", "--project", local.get("v0.0.8-v0.0.9.yaml")!, "--model", "lemon", "hi"], { timeoutMs: 60_000 });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("lemonade answers\n");
    expect(fake.requests.at(-1)).toMatchObject({ path: "/api/v1/chat/completions", model: "Qwen2.5-0.5B-Instruct-GGUF" });
  });

  it("lf status says how to start the universal runtime and Lemonade Server when they are down", async () => {
    const closed = await freePort();
    const file = join(dir, "down.yaml");
    writeFileSync(
      file,
      `version: v1
name: down
namespace: default
runtime:
  models:
    - { name: universal, provider: universal, model: m, base_url: "http://127.0.0.1:${closed}/v1" }
    - { name: lemon, provider: lemonade, model: m, lemonade: { port: ${closed} } }
`,
    );
    const result = await runCli(["status", "--project", file, "--timeout", "3000"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`cannot reach the LlamaFarm universal runtime at http://127.0.0.1:${closed}/v1`);
    expect(result.stdout).toContain("nx start universal-runtime");
    expect(result.stdout).toContain(`cannot reach the Lemonade runtime at http://localhost:${closed}/api/v1`);
    expect(result.stdout).toContain("lemonade-server serve --port 11534");
  });

  it("still refuses a misspelt top-level key, with did-you-mean", async () => {
    for (const [typo, near] of [["promts", "prompts"], ["memroy", "memory"], ["runtim", "runtime"]] as const) {
      const file = join(dir, `${typo}.yaml`);
      const text = readFileSync(join(FIXTURES, "v0.0.15-v0.0.27.yaml"), "utf8");
      writeFileSync(file, typo === "runtim" ? text.replace(/^runtime:/m, "runtim:") : `${text}\n${typo}: {}\n`);
      const result = await runCli(["validate", file]);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(`error ${typo}: unknown field "${typo}"; did you mean "${near}"?`);
    }
  });
});
