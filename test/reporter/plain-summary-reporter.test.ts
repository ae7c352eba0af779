import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/run-cli.js";

const vitest = fileURLToPath(new URL("../../node_modules/vitest/vitest.mjs", import.meta.url));
const config = fileURLToPath(new URL("../fixtures/reporter/vitest.config.ts", import.meta.url));

/** Runs vitest itself in a child process on some of the reporter's fixture files. */
function runFixtures(...filters: string[]): Promise<{ code: number | null; lastLine: string; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [vitest, "run", "--config", config, ...filters], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: "1", CI: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (output += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (output += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`vitest did not finish in 60 s:\n${output}`));
    }, 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const lines = output.split("\n").filter((l) => l.trim() !== "");
      resolve({ code, lastLine: lines.at(-1) ?? "", output });
    });
  });
}

describe("the plain summary line", () => {
  it("counts a file whose beforeAll throws as failed, names the cause, and the run exits non-zero", async () => {
    const run = await runFixtures("hook-throws");
    expect(run.lastLine, run.output).toBe(
      "0 passed, 1 failed, 0 skipped, 2 not run; failed outside a test: " +
        "redis-server is required and was not found; install it: apt-get install -y redis-server (hook-throws.fixture.ts)",
    );
    expect(run.code).toBe(1);
  }, 90_000);

  it("counts a file that fails to import and an error thrown outside any test, beside real passes and skips", async () => {
    const run = await runFixtures("import-throws", "unhandled-error", "passes");
    expect(run.lastLine, run.output).toMatch(/^2 passed, 2 failed, 1 skipped; failed outside a test: /);
    expect(run.lastLine).toContain("this file fails while it is imported (import-throws.fixture.ts)");
    expect(run.lastLine).toContain("an error thrown after the test (an unhandled error)");
    expect(run.code).toBe(1);
  }, 90_000);

  it("says 0 failed and exits 0 when everything passes", async () => {
    const run = await runFixtures("passes");
    expect(run.lastLine, run.output).toBe("1 passed, 0 failed, 0 skipped");
    expect(run.code).toBe(0);
  }, 90_000);
});
