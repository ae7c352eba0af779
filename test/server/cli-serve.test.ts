import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { repoRoot } from "../helpers/run-cli.js";
import { SECRET, TEST_ENV, projectYaml, tempDir, writeProject } from "./support.js";

const bin = join(repoRoot, "cli", "bin.js");
const everything = fileURLToPath(new URL("../../node_modules/@modelcontextprotocol/server-everything/dist/index.js", import.meta.url));
let fake: FakeProvider;
let child: ChildProcess | undefined;

beforeAll(async () => {
  fake = await startFakeProvider();
});
afterAll(async () => {
  if (child?.exitCode === null) child.kill("SIGKILL");
  await fake?.close();
});

function childPids(pid: number): number[] {
  try {
    return execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" }).split("\n").map((l) => Number(l.trim())).filter((n) => n > 0);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("lf serve, the real binary", () => {
  it("listens, answers /health and a chat, and exits 0 on SIGTERM with its MCP servers gone", async () => {
    const mcp = `mcp:\n  servers:\n    - name: everything\n      transport: stdio\n      command: ${process.execPath}\n      args: [${JSON.stringify(everything)}, stdio]\n`;
    const file = await writeProject(tempDir(), projectYaml(fake.url, { server: mcp }));
    child = spawn(process.execPath, [bin, "serve", "--project", file, "--port", "0"], { env: { ...TEST_ENV, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`lf serve did not start:\n${stdout}\n${stderr}`)), 20_000);
      child!.stdout!.on("data", (d: Buffer) => {
        stdout += d.toString();
        const match = /listening on (http:\/\/\S+)/.exec(stdout);
        if (match && stdout.includes("/chat/completions")) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child!.once("exit", (code) => reject(new Error(`lf serve exited with ${code}:\n${stdout}\n${stderr}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(stdout).toContain(`${url}/v1/projects/tests/demo/chat/completions`);

    expect(await fetch(`${url}/health`).then((r) => r.json())).toEqual({ status: "ok" });
    fake.script("gpt-fast", "served by the binary");
    const answer = await fetch(`${url}/v1/projects/tests/demo/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "hi" }] }),
    });
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe("served by the binary");
    // The model may use every MCP server, so answering started the stdio server.
    const mcpChildren = childPids(child.pid!);
    expect(mcpChildren.length).toBeGreaterThan(0);

    const exited = new Promise<number | null>((resolve) => child!.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    for (const pid of mcpChildren) expect(alive(pid)).toBe(false);
    expect(stderr).toContain('"msg":"server stopped"');
    expect(stdout + stderr).not.toContain(SECRET);
  });
});
