import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../helpers/run-cli.js";

describe("lf route", () => {
  it("explains a complexity router's choice for a reasoning request without calling a model", async () => {
    const result = await runCli(["route", "--project", "examples/router", "--model", "auto", "prove that the square root of 2 is irrational, step by step"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/complexity: reasoning/);
    expect(result.stdout).toMatch(/✓\s+1\s+large\s+score/);
    expect(result.stdout).toContain("no model was called");
  });

  it("sends a short question to the simple tier", async () => {
    const result = await runCli(["route", "-p", "examples/router", "--json", "hi there"]);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.router.complexity.tier).toBe("simple");
    expect(report.router.candidates.find((c: { chosen: boolean }) => c.chosen).model).toBe("small");
  });

  it("says a plain model answers itself, and lists its fallbacks", async () => {
    const result = await runCli(["route", "-p", "examples/fallback-chain", "--model", "primary", "hello"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("primary is not a router");
    expect(result.stdout).toContain("then fallbacks: secondary → tertiary → last-resort");
  });

  it("ends quietly when the reader of its output goes away (lf route … | head -1)", async () => {
    const child = spawn(process.execPath, ["cli/bin.js", "route", "-p", "examples/router", "write a python function that parses a csv file"], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    // The reader is gone before the first line is written, as when head has had its fill.
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(stderr).not.toContain("EPIPE");
    expect(code).toBe(0);
  });
});
