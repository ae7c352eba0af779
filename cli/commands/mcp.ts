import { redactSecrets } from "../../runtime/index.js";
import { exitCodes } from "../exit-codes.js";
import { withRuntime } from "../load-runtime.js";
import { paint } from "../output.js";

/** `lf mcp`: each MCP server, its connection state, its tools, and the models that may use it. */
export async function mcpCommand(options: { project?: string; json?: boolean; timeout?: string }): Promise<number> {
  return withRuntime(options.project, async (runtime, project) => {
    const timeoutMs = options.timeout ? Number(options.timeout) : 15_000;
    const tools = new Map<string, string[]>();
    await Promise.all(
      runtime.mcp.serverNames().map(async (name) => {
        const listed = await runtime.mcp.listTools(name, AbortSignal.timeout(timeoutMs)).catch(() => []);
        tools.set(name, listed.map((t) => t.name));
      }),
    );
    const models = [...project.models.values()].filter((m) => !m.router);
    const servers = runtime.mcp.status().map((s) => ({
      name: s.name,
      transport: s.transport,
      state: s.state,
      tools: tools.get(s.name) ?? [],
      models: models
        .filter((m) => m.capabilities.tools && (m.mcpServers === undefined || m.mcpServers.some((b) => (typeof b === "string" ? b : b.server) === s.name)))
        .map((m) => m.name),
      // The URL or command a failure names may hold a value that came from a secret.
      ...(s.lastError ? { error: redactSecrets(s.lastError, project.secrets) } : {}),
    }));
    if (options.json) {
      console.log(JSON.stringify(servers, null, 2));
    } else if (servers.length === 0) {
      console.log("no MCP servers in this project (mcp.servers)");
    } else {
      const out = process.stdout;
      for (const s of servers) {
        const mark = s.state === "ready" ? paint.green("✓", out) : paint.red("✗", out);
        out.write(`${mark} ${s.name.padEnd(16)} ${s.transport.padEnd(6)} ${s.state.padEnd(8)} ${s.tools.length} tools  models: ${s.models.join(", ") || "none"}\n`);
        if (s.tools.length) out.write(`    ${paint.dim(s.tools.join(", "), out)}\n`);
        if (s.error) out.write(`    ${paint.red(s.error, out)}\n`);
      }
    }
    return servers.every((s) => s.state === "ready") ? exitCodes.ok : exitCodes.failure;
  });
}
