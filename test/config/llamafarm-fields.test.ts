import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseProject, type ConfigIssue } from "../../runtime/config/index.js";
import { LLAMAFARM_FIELDS, type FieldPlace } from "../../runtime/config/llamafarm-fields.js";
import { repoRoot } from "../helpers/run-cli.js";

const schema = JSON.parse(readFileSync(join(repoRoot, "schema/llamafarm.schema.json"), "utf8")) as {
  properties: Record<string, { description?: string }>;
  definitions: Record<string, { properties: Record<string, { description?: string }> }>;
};
const schemaProperties: Partial<Record<FieldPlace, Record<string, { description?: string }>>> = {
  project: schema.properties,
  model: schema.definitions.Model!.properties,
  "mcp-server": schema.definitions.McpServer!.properties,
};

describe("the table of LlamaFarm fields", () => {
  it("names only fields the schema accepts where they sit, and every LlamaFarm-only field of the schema", () => {
    for (const [place, properties] of Object.entries(schemaProperties)) {
      const rows = LLAMAFARM_FIELDS.filter((f) => f.place === place);
      expect(rows.filter((f) => !(f.name in properties!)).map((f) => f.name)).toEqual([]);
      const llamafarmOnly = Object.entries(properties!).filter(([, p]) => p.description?.includes("LlamaFarm")).map(([name]) => name);
      expect(llamafarmOnly.filter((name) => !rows.some((f) => f.name === name))).toEqual([]);
    }
  });

  it("says what lf does instead for every field it ignores, and is documented in schema/README.md", () => {
    expect(LLAMAFARM_FIELDS.filter((f) => f.lf === "ignored" && !f.instead).map((f) => f.name)).toEqual([]);
    const readme = readFileSync(join(repoRoot, "schema/README.md"), "utf8");
    const undocumented = LLAMAFARM_FIELDS.filter((f) => !readme.includes(`\`${f.name}\``)).map((f) => `${f.place}.${f.name}`);
    expect(undocumented).toEqual([]);
  });
});

function load(text: string): { issues: ConfigIssue[]; project: ReturnType<typeof parseProject>["project"] } {
  return parseProject(text, "/tmp/llamafarm.yaml", { dotenv: false, env: {} });
}

const head = "version: v1\nname: p\nnamespace: n\n";

describe("LlamaFarm's older shapes", () => {
  it("reads a single-model runtime as a model named default, and points its findings at the lines written", () => {
    const bad = load(`${head}runtime:\n  provider: openai\n  model: m\n  model_api_parameters:\n    temperature: 9\n`);
    expect(bad.project).toBeUndefined();
    expect(bad.issues).toEqual([{ severity: "error", path: "runtime.model_api_parameters.temperature", line: 8, column: 18, message: "must be <= 2" }]);
    const ok = load(`${head}runtime:\n  provider: openai\n  model: m\n  base_url: http://127.0.0.1:1/v1\n  prompt_format: structured\n`);
    expect(ok.issues).toEqual([
      { severity: "warning", path: "runtime.prompt_format", line: 8, column: 3, message: expect.stringContaining('"prompt_format" is a LlamaFarm field') },
    ]);
    expect(ok.project!.defaultModel).toBe("default");
    expect(ok.project!.models.get("default")).toMatchObject({ provider: "openai", modelId: "m", baseUrl: "http://127.0.0.1:1/v1" });
  });

  it("reads bare prompt messages as one prompt set that the model takes", () => {
    const { issues, project } = load(`${head}prompts:\n  - role: system\n    content: One.\n  - content: Two.\nruntime:\n  provider: ollama\n  model: m\n`);
    expect(issues).toEqual([]);
    expect(project!.models.get("default")!.promptMessages).toEqual([
      { role: "system", content: "One." },
      { role: "system", content: "Two." },
    ]);
    const bad = load(`${head}prompts:\n  - role: system\n    content: One.\n  - role: wizard\n    content: Two.\nruntime:\n  provider: ollama\n  model: m\n`);
    expect(bad.issues).toEqual([expect.objectContaining({ severity: "error", path: "prompts[1].role", line: 7, message: expect.stringContaining("must be one of") })]);
  });
});

describe("default models", () => {
  it("names the lines of both when two models are marked default, or default_model disagrees", () => {
    const two = load(`${head}runtime:\n  models:\n    - { name: a, provider: ollama, model: x, default: true }\n    - { name: b, provider: ollama, model: y, default: true }\n`);
    expect(two.issues.map((i) => i.message)).toEqual(['two default models: "a" (line 6) and "b" (line 7) are both marked default: true']);
    const other = load(`${head}runtime:\n  default_model: a\n  models:\n    - { name: a, provider: ollama, model: x }\n    - { name: b, provider: ollama, model: y, default: true }\n`);
    expect(other.issues.map((i) => i.message)).toEqual(['two default models: runtime.default_model (line 5) is "a" but "b" (line 8) is marked default: true']);
  });

  it("takes the model marked default: true when runtime.default_model is absent", () => {
    const { project } = load(`${head}runtime:\n  models:\n    - { name: a, provider: ollama, model: x }\n    - { name: b, provider: ollama, model: y, default: true }\n`);
    expect(project!.defaultModel).toBe("b");
  });
});

describe("prompt sets of a model", () => {
  const prompts = "prompts:\n  - name: one\n    messages: [{ role: system, content: One. }]\n  - name: two\n    messages: [{ role: system, content: Two. }]\n";

  it("are every set when the model names none, as in LlamaFarm; prompts: [] is none, with a warning", () => {
    const { issues, project } = load(`${head}${prompts}runtime:\n  models:\n    - { name: all, provider: ollama, model: x }\n    - { name: none, provider: ollama, model: x, prompts: [] }\n    - { name: some, provider: ollama, model: x, prompts: [two] }\n`);
    expect(project!.models.get("all")!.promptMessages.map((m) => m.content)).toEqual(["One.", "Two."]);
    expect(project!.models.get("none")!.promptMessages).toEqual([]);
    expect(project!.models.get("some")!.promptMessages.map((m) => m.content)).toEqual(["Two."]);
    expect(issues).toEqual([expect.objectContaining({ severity: "warning", path: "runtime.models[1].prompts", message: expect.stringContaining("LlamaFarm gives it every set") })]);
  });
});

describe("YAML tools", () => {
  const model = (tools: string) => `${head}runtime:\n  models:\n    - name: m\n      provider: openai\n      model: x\n      tools:\n${tools}`;

  it("take LlamaFarm's flat shape and OpenAI's function shape", () => {
    const { issues, project } = load(
      model("        - { type: function, name: flat, description: Flat., parameters: { type: object, properties: { a: { type: string } } } }\n        - { type: function, function: { name: nested } }\n"),
    );
    expect(issues).toEqual([]);
    expect(project!.models.get("m")!.tools).toEqual([
      { name: "flat", description: "Flat.", parameters: { type: "object", properties: { a: { type: "string" } } } },
      { name: "nested", parameters: { type: "object", properties: {} } },
    ]);
  });

  it("refuse a tool without a name, a name providers refuse, a name used twice, and both shapes at once", () => {
    const { issues } = load(model("        - { description: nameless }\n        - { name: has space }\n        - { name: twice }\n        - { name: twice }\n        - { name: both, function: { name: both } }\n"));
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      `runtime.models[0].tools[0]: a tool needs a name: "name" (LlamaFarm's shape) or "function.name" (OpenAI's)`,
      "runtime.models[0].tools[1].name: a tool name holds only letters, digits, _ and -, at most 64 of them",
      'runtime.models[0].tools[3].name: two tools of this model are named "twice"',
      `runtime.models[0].tools[4].name: write the tool's name inside "function" (OpenAI's shape) or beside "type" (LlamaFarm's), not both`,
    ]);
  });
});
