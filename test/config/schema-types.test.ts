import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/run-cli.js";

describe("generated from the schema", () => {
  it("the checked-in types and validator are current (npm run gen:types)", () => {
    const result = spawnSync(process.execPath, ["schema/gen-types.mjs", "--check"], { cwd: repoRoot, encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });
});
