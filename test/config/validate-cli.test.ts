import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../helpers/run-cli.js";

const examples = readdirSync(join(repoRoot, "examples")).map((name) => `examples/${name}/llamafarm.yaml`);

describe("lf validate", () => {
  it.each(["llamafarm.yaml", ...examples])("passes %s", async (file) => {
    const result = await runCli(["validate", file]);
    expect(result.stdout).toMatch(/✓ .* is valid/);
    expect(result.stdout).not.toMatch(/error/);
    expect(result.code).toBe(0);
  });

  it("starts every example with the schema modeline editors use", () => {
    for (const file of ["llamafarm.yaml", ...examples]) {
      expect(readFileSync(join(repoRoot, file), "utf8").split("\n")[0]).toMatch(/^# yaml-language-server: \$schema=.*schema\/llamafarm\.schema\.json$/);
    }
  });

  it("keeps the root project identical to the local + cloud example", () => {
    const root = readFileSync(join(repoRoot, "llamafarm.yaml"), "utf8");
    const example = readFileSync(join(repoRoot, "examples/local-cloud-hybrid/llamafarm.yaml"), "utf8");
    expect(example.replace("$schema=../../schema/", "$schema=./schema/")).toBe(root);
  });

  const broken: Array<[string, string[]]> = [
    ["syntax.yaml", [':9:1: error: YAML syntax: Missing closing "quote']],
    [
      "wrong-types.yaml",
      [
        ":10:22: error runtime.models[0].model_api_parameters.temperature: must be a number, not a string",
        ":11:21: error runtime.models[0].model_api_parameters.max_tokens: must be >= 1",
        ":12:16: error runtime.models[0].default: must be true or false, not a string",
      ],
    ],
    ["unknown-field.yaml", [':8:7: error runtime.models[0].modle: unknown field "modle"; did you mean "model"?']],
    [
      "missing-references.yaml",
      [
        ':15:18: error runtime.default_model: no model named "mian"; did you mean "main"?',
        ':20:15: error runtime.models[0].prompt: no prompt set named "analyts"; did you mean "analyst"?',
        ':21:19: error runtime.models[0].fallbacks[0]: no model named "backup"',
        ':22:21: error runtime.models[0].mcp_servers[0]: no MCP server named "filesytem"; did you mean "filesystem"?',
      ],
    ],
    ["fallback-cycle.yaml", [":6:7: error runtime.models[0]: fallback or router cycle: a -> b -> c -> a"]],
    ["two-defaults.yaml", [':13:16: error runtime.models[1].default: two default models: "a" (line 9) and "b" (line 13) are both marked default: true']],
    ["missing-env.yaml", [":9:16: error runtime.models[0].api_key: environment variable LF_TEST_SURELY_UNSET_KEY is not set"]],
    ["empty.yaml", [":1:1: error: the file is empty"]],
    ["list.yaml", [":1:1: error: the top level is a list"]],
  ];

  it.each(broken)("prints FILE:LINE:COL for %s and exits 1", async (name, expected) => {
    const file = `test/fixtures/invalid/${name}`;
    const result = await runCli(["validate", file]);
    expect(result.code).toBe(1);
    for (const line of expected) expect(result.stdout).toContain(`${file}${line}`);
    expect(result.stdout).toMatch(/✗ .*: \d+ errors?, \d+ warnings?/);
  });

  it("accepts a LlamaFarm project with rag and datasets, with warnings only", async () => {
    const result = await runCli(["validate", "test/fixtures/llamafarm/rag-project.yaml"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('warning rag: "rag" is a LlamaFarm section that lf does not use');
    expect(result.stdout).toContain('warning datasets: "datasets" is a LlamaFarm section');
    expect(result.stdout).toContain("is valid: 1 model, 3 warnings");
  });

  it("prints JSON with --json", async () => {
    const result = await runCli(["validate", "--json", "test/fixtures/invalid/unknown-field.yaml"]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ valid: false, errors: 2, warnings: 0 });
    expect(report.issues).toContainEqual({
      severity: "error",
      path: "runtime.models[0].modle",
      line: 8,
      column: 7,
      message: 'unknown field "modle"; did you mean "model"?',
    });
  });

  it("finds llamafarm.yaml in a parent folder when no file is given", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lf-find-"));
    writeFileSync(join(dir, "llamafarm.yaml"), readFileSync(join(repoRoot, "examples/speed-tiers/llamafarm.yaml")));
    mkdirSync(join(dir, "a", "b"), { recursive: true });
    const result = await runCli(["validate"], { cwd: join(dir, "a", "b") });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/llamafarm\.yaml is valid: 3 models/);
  });

  it("says so when there is no project file anywhere", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lf-none-"));
    const result = await runCli(["validate"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no llamafarm\.yaml/);
  });
});

describe("lf init", () => {
  it("writes a starter project that validates, and refuses to overwrite it", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "lf-init-")), "my-app");
    const first = await runCli(["init", dir]);
    expect(first.code).toBe(0);
    const text = readFileSync(join(dir, "llamafarm.yaml"), "utf8");
    expect(text).toMatch(/^name: my-app$/m);
    expect(text).toMatch(/provider: ollama/);
    expect(text).toMatch(/provider: openai/);
    const validated = await runCli(["validate", join(dir, "llamafarm.yaml")]);
    expect(validated.code).toBe(0);
    const again = await runCli(["init", dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
    expect(readFileSync(join(dir, "llamafarm.yaml"), "utf8")).toBe(text);
  });
});
