import { afterEach, describe, expect, it } from "vitest";
import type { Clock } from "../../runtime/core/index.js";
import { McpPool, type McpServerStatus } from "../../runtime/tools/index.js";
import { everythingStdio, isAlive, waitFor } from "./support/servers.js";

const pools: McpPool[] = [];
function pool(...args: ConstructorParameters<typeof McpPool>): McpPool {
  const created = new McpPool(...args);
  pools.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

function statusOf(p: McpPool, name: string): McpServerStatus {
  const status = p.status().find((s) => s.name === name);
  if (!status) throw new Error(`no status for ${name}`);
  return status;
}

function manualClock(start = 1_000_000): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    timer: () => () => undefined,
    advance(ms) {
      now += ms;
    },
  };
}

describe("McpPool over stdio (server-everything)", () => {
  it("starts lazily, shares one connect between concurrent first uses, and caches the listing", async () => {
    const p = pool([everythingStdio()]);
    expect(statusOf(p, "everything")).toMatchObject({ state: "idle", failures: 0 });

    const [a, b] = await Promise.all([p.listTools("everything"), p.listTools("everything")]);
    expect(a.map((t) => t.name)).toContain("get-sum");
    expect(b).toBe(a);
    const status = statusOf(p, "everything");
    expect(status.state).toBe("ready");
    const pid = status.pid;
    expect(pid).toBeTypeOf("number");

    // The server announces tools/list_changed right after initialising; the pool relists on its own.
    await waitFor(() => statusOf(p, "everything").tools !== undefined);
    expect(statusOf(p, "everything").tools).toContain("echo");
    const cached = await p.listTools("everything");
    expect(await p.listTools("everything")).toBe(cached);
    const result = await p.callTool("everything", "get-sum", { a: 2, b: 3 });
    expect(result.content[0]).toMatchObject({ type: "text", text: expect.stringContaining("5") });
    // Still the same child: one session is shared by every use.
    expect(statusOf(p, "everything").pid).toBe(pid);
  });

  it("gives a stdio child only PATH, HOME and its configured env", async () => {
    const parentEnv = { PATH: process.env.PATH, HOME: "/home/lf-test", OPENAI_API_KEY: "sk-parent-secret" };
    const p = pool([everythingStdio("everything", { env: { MCP_TOKEN: "given" } })], { env: parentEnv });
    const result = await p.callTool("everything", "get-env", {});
    const first = result.content[0];
    const env = JSON.parse(first?.type === "text" ? first.text : "{}") as Record<string, string>;
    expect(env.MCP_TOKEN).toBe("given");
    expect(env.HOME).toBe("/home/lf-test");
    expect(env.PATH).toBe(process.env.PATH);
    expect(env.OPENAI_API_KEY).toBeUndefined();
    expect(JSON.stringify(env)).not.toContain("sk-parent-secret");
  });

  it("restarts a server that died, on the next use", async () => {
    const p = pool([everythingStdio()]);
    await p.callTool("everything", "echo", { message: "one" });
    const pid = statusOf(p, "everything").pid!;
    process.kill(pid, "SIGKILL");
    await waitFor(() => statusOf(p, "everything").state === "failed");
    expect(statusOf(p, "everything").lastError).toMatch(/connection closed.*SIGKILL/);

    const result = await p.callTool("everything", "echo", { message: "two" });
    expect(result.content[0]).toMatchObject({ text: "Echo: two" });
    const status = statusOf(p, "everything");
    expect(status).toMatchObject({ state: "ready", failures: 0 });
    expect(status.pid).not.toBe(pid);
    expect(isAlive(pid)).toBe(false);
  });

  it("backs off after repeated connect failures and fails fast meanwhile", async () => {
    const clock = manualClock();
    const p = pool([{ name: "broken", transport: "stdio", command: process.execPath, args: ["-e", "process.exit(3)"] }], {
      clock,
      backoff: { initialMs: 1000, maxMs: 8000 },
    });

    await expect(p.callTool("broken", "x", {})).rejects.toThrow(/could not start/);
    // The first retry is immediate, so a one-off crash costs a single request at most.
    expect(statusOf(p, "broken")).toMatchObject({ state: "failed", failures: 1, retryAt: clock.now() });
    await expect(p.callTool("broken", "x", {})).rejects.toThrow(/could not start/);
    expect(statusOf(p, "broken")).toMatchObject({ failures: 2, retryAt: clock.now() + 1000 });

    await expect(p.callTool("broken", "x", {})).rejects.toThrow(/unavailable.*next retry in 1000 ms/);
    expect(statusOf(p, "broken").failures).toBe(2);

    clock.advance(1000);
    await expect(p.callTool("broken", "x", {})).rejects.toThrow(/could not start/);
    expect(statusOf(p, "broken")).toMatchObject({ failures: 3, retryAt: clock.now() + 2000 });
    expect(statusOf(p, "broken").lastError).toMatch(/code 3/);
  });

  it("reports a command that cannot be spawned", async () => {
    const p = pool([{ name: "missing", transport: "stdio", command: "/nonexistent/lf-mcp-server" }]);
    await expect(p.listTools("missing")).rejects.toThrow(/could not start.*ENOENT/);
    expect(statusOf(p, "missing").state).toBe("failed");
  });

  it("times a slow call out without losing the session", async () => {
    const p = pool([everythingStdio("everything", { timeout_ms: 300 })]);
    await p.listTools("everything");
    const pid = statusOf(p, "everything").pid;
    const started = Date.now();
    await expect(p.callTool("everything", "trigger-long-running-operation", { duration: 5, steps: 5 })).rejects.toThrow(/within 300 ms/);
    expect(Date.now() - started).toBeLessThan(3000);
    const result = await p.callTool("everything", "echo", { message: "still here" });
    expect(result.content[0]).toMatchObject({ text: "Echo: still here" });
    expect(statusOf(p, "everything")).toMatchObject({ state: "ready", pid });
  });

  it("stops waiting when the caller aborts", async () => {
    const p = pool([everythingStdio()]);
    await p.listTools("everything");
    const controller = new AbortController();
    const call = p.callTool("everything", "trigger-long-running-operation", { duration: 5, steps: 5 }, controller.signal);
    setTimeout(() => controller.abort(), 100);
    await expect(call).rejects.toMatchObject({ code: "aborted" });
  });

  it("close() ends every child, leaves none alive, and refuses later use", async () => {
    const p = pool([everythingStdio("a"), everythingStdio("b")]);
    await Promise.all([p.listTools("a"), p.listTools("b")]);
    const pids = p.status().map((s) => s.pid!);
    expect(pids.every(isAlive)).toBe(true);

    await p.close();
    expect(pids.some(isAlive)).toBe(false);
    expect(p.status().map((s) => s.state)).toEqual(["closed", "closed"]);
    await expect(p.callTool("a", "echo", { message: "x" })).rejects.toThrow(/closed/);
  });

  it("close() during a connect still ends the child", async () => {
    const p = pool([everythingStdio()]);
    const listing = p.listTools("everything").catch((error: unknown) => error);
    const pid = statusOf(p, "everything").pid;
    expect(pid).toBeTypeOf("number");
    await p.close();
    expect(isAlive(pid!)).toBe(false);
    expect(await listing).toBeInstanceOf(Error);
    expect(statusOf(p, "everything").state).toBe("closed");
  });

  it("rejects an unknown server name", async () => {
    const p = pool([everythingStdio()]);
    await expect(p.callTool("nope", "echo", {})).rejects.toThrow(/No MCP server named "nope"/);
  });
});
