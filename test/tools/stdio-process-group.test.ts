import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { McpPool, type McpServerConfig } from "../../runtime/tools/index.js";
import { EVERYTHING_BIN, isAlive, waitFor } from "./support/servers.js";

/**
 * Launchers such as `npx` or a shell script run the real server as their own child. The pool must
 * not leave that grandchild behind, whether the launcher is shut down or dies.
 */
let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "lf-group-"));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** The launcher also starts a quiet helper that holds no pipe to us, so nothing but a signal can end it. */
function wrapped(name: string): { config: McpServerConfig; grandchildPid: () => Promise<number>; helperPid: () => Promise<number> } {
  const pidFile = join(folder, `${name}.pid`);
  const helperFile = join(folder, `${name}.helper.pid`);
  const launcher = [
    "const { spawn } = require('node:child_process');",
    `const child = spawn(process.execPath, [${JSON.stringify(EVERYTHING_BIN)}, 'stdio'], { stdio: 'inherit' });`,
    "const helper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e9)'], { stdio: 'ignore' });",
    `require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(child.pid));`,
    `require('node:fs').writeFileSync(${JSON.stringify(helperFile)}, String(helper.pid));`,
    "process.on('SIGTERM', () => {});", // a launcher that ignores SIGTERM, to make shutdown work for it
    "child.on('exit', (code) => process.exit(code ?? 0));",
  ].join("\n");
  return {
    config: { name, transport: "stdio", command: process.execPath, args: ["-e", launcher] },
    grandchildPid: async () => Number(await readFile(pidFile, "utf8")),
    helperPid: async () => Number(await readFile(helperFile, "utf8")),
  };
}

describe("stdio process groups", () => {
  it("close() ends the launcher and the server it started", async () => {
    const server = wrapped("launched");
    const pool = new McpPool([server.config]);
    const result = await pool.callTool("launched", "echo", { message: "via launcher" });
    expect(result.content[0]).toMatchObject({ text: "Echo: via launcher" });
    const launcher = pool.status()[0]!.pid!;
    const grandchild = await server.grandchildPid();
    const helper = await server.helperPid();
    expect([launcher, grandchild, helper].map(isAlive)).toEqual([true, true, true]);

    await pool.close();
    // The launcher is our own child and is reaped before close() resolves; its group has been sent
    // SIGKILL, which the kernel delivers a moment later.
    expect(isAlive(launcher)).toBe(false);
    await waitFor(() => !isAlive(grandchild) && !isAlive(helper), 2000);
  });

  it("a launcher that dies takes its server with it, and the next use starts both again", async () => {
    const server = wrapped("crashy");
    const pool = new McpPool([server.config]);
    try {
      await pool.callTool("crashy", "echo", { message: "one" });
      const launcher = pool.status()[0]!.pid!;
      const grandchild = await server.grandchildPid();
      const helper = await server.helperPid();
      process.kill(launcher, "SIGKILL");
      await waitFor(() => pool.status()[0]?.state === "failed");
      await waitFor(() => !isAlive(grandchild) && !isAlive(helper), 1000);

      const result = await pool.callTool("crashy", "echo", { message: "two" });
      expect(result.content[0]).toMatchObject({ text: "Echo: two" });
      expect(await server.grandchildPid()).not.toBe(grandchild);
    } finally {
      await pool.close();
    }
  });
});
