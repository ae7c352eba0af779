import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/run-cli.js";
import { TEST_ENV, tempDir, writeProject } from "../server/support.js";
import { cachedProjectYaml } from "./support.js";

describe("cache: and virtual keys in the project file", () => {
  it("are checked by the schema, each finding with its file:line:col", async () => {
    const yaml = cachedProjectYaml("http://127.0.0.1:9", { name: "alpha", cache: "{ ttl: soon, max_entries: 0, colour: red }" }).replace(
      "name: admin }",
      "name: admin, rpm: -1, expires: tomorrow }",
    );
    const file = await writeProject(tempDir("lf-cache-config-"), yaml);
    const result = await runCli(["validate", file], { env: TEST_ENV });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/llamafarm\.yaml:5:\d+: error cache\.ttl: /);
    expect(result.stdout).toMatch(/llamafarm\.yaml:5:\d+: error cache\.max_entries: /);
    expect(result.stdout).toMatch(/llamafarm\.yaml:5:\d+: error cache\.colour: unknown field "colour"/);
    expect(result.stdout).toMatch(/llamafarm\.yaml:10:\d+: error server\.api_keys\[2\]\.rpm: must be >= 1/);
    expect(result.stdout).toMatch(/llamafarm\.yaml:10:\d+: error server\.api_keys\[2\]\.expires: /);
    expect(result.stdout).toContain("5 errors");
  });

  it("accept the project's cache, a model's own, and keys with every limit", async () => {
    const yaml = cachedProjectYaml("http://127.0.0.1:9", { name: "alpha", cache: "{ ttl: 10m, max_entries: 5, temperature: true }" }).replace(
      "name: admin }",
      "name: admin, models: [fast], rpm: 60, tpm: 1000, budget: { daily: 1, monthly: 10 }, expires: 2099-01-01 }",
    );
    const file = await writeProject(tempDir("lf-cache-config-"), yaml);
    const result = await runCli(["validate", file], { env: TEST_ENV });
    expect(result.stdout, result.stdout).toMatch(/is valid/);
    expect(result.code).toBe(0);
  });
});
