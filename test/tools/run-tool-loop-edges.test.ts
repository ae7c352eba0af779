import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { describe, expect, it } from "vitest";
import { LfError, type StreamPart } from "../../runtime/core/index.js";
import { bindMcpTools, runToolLoop, type McpToolSource } from "../../runtime/tools/index.js";
import { askTools, collect, say, ScriptedModel, toolCall, toolReply } from "./support/scripted-model.js";

/** The pool boundary as an object literal, for the loop's own rules; real servers are in run-tool-loop.test.ts. */
function source(call: (tool: string, args: Record<string, unknown>, signal?: AbortSignal) => Promise<CallToolResult>): McpToolSource {
  return {
    serverNames: () => ["kit"],
    listTools: async () => [
      { name: "add", inputSchema: { type: "object" } },
      { name: "wait", inputSchema: { type: "object" } },
    ],
    callTool: async (_server, tool, args, signal) => call(tool, args, signal),
  };
}
const text = (value: string): CallToolResult => ({ content: [{ type: "text", text: value }] });

describe("runToolLoop rules", () => {
  it("applies a forced tool choice to the first call only", async () => {
    const mcpTools = await bindMcpTools(source(async () => text("ok")), undefined);
    const model = new ScriptedModel([() => askTools(toolCall("kit__add", {})), () => say("done")]);
    await collect(runToolLoop({ model, call: { messages: [], parameters: {}, toolChoice: "required" }, mcpTools }));
    expect(model.requests.map((r) => r.toolChoice)).toEqual(["required", "auto"]);
  });

  it("gives calls without ids (or with repeated ids) ids of their own, matched by their results", async () => {
    const mcpTools = await bindMcpTools(source(async (_tool, args) => text(String(args.n))), undefined);
    const model = new ScriptedModel([
      () => askTools({ id: "", name: "kit__add", arguments: '{"n":1}' }, { id: "same", name: "kit__add", arguments: '{"n":2}' }, { id: "same", name: "kit__add", arguments: '{"n":3}' }),
      (request) => {
        const ids = request.messages.find((m) => m.role === "assistant")?.toolCalls?.map((c) => c.id) ?? [];
        expect(new Set(ids).size).toBe(3);
        expect(ids.map((id) => toolReply(request, id)?.content)).toEqual(["1", "2", "3"]);
        return say("6");
      },
    ]);
    await collect(runToolLoop({ model, call: { messages: [], parameters: {} }, mcpTools }));
  });

  it("lets a client tool shadow an MCP tool of the same name", async () => {
    let ran = false;
    const mcpTools = await bindMcpTools(
      source(async () => {
        ran = true;
        return text("mcp");
      }),
      undefined,
    );
    const model = new ScriptedModel([() => askTools(toolCall("kit__add", {}))]);
    const parts = await collect(
      runToolLoop({ model, call: { messages: [], parameters: {}, tools: [{ name: "kit__add", description: "client's own", parameters: {} }] }, mcpTools }),
    );
    expect(model.requests[0]?.tools?.filter((t) => t.name === "kit__add")).toEqual([{ name: "kit__add", description: "client's own", parameters: {} }]);
    expect(parts.at(-1)).toEqual({ type: "finish", finishReason: "tool-calls" });
    expect(ran).toBe(false);
  });

  it("ends with an aborted error when the caller aborts while tools run", async () => {
    const controller = new AbortController();
    const mcpTools = await bindMcpTools(
      source(
        (_tool, _args, signal) =>
          new Promise((_resolve, reject) => {
            signal?.addEventListener("abort", () => reject(new Error("cancelled")), { once: true });
            controller.abort();
          }),
      ),
      undefined,
    );
    const model = new ScriptedModel([() => askTools(toolCall("kit__wait", {}))]);
    const parts = await collect(runToolLoop({ model, call: { messages: [], parameters: {} }, mcpTools, signal: controller.signal }));
    expect(parts.map((p) => p.type)).toEqual(["tool-start", "tool-result", "usage", "error"]);
    expect(model.requests).toHaveLength(1);
    expect((parts.at(-1) as Extract<StreamPart, { type: "error" }>).error.code).toBe("aborted");
  });

  it("passes a provider's mid-stream error part through and stops", async () => {
    const model = new ScriptedModel([
      () => [
        { type: "text-delta", text: "partial" },
        { type: "usage", usage: { inputTokens: 1, outputTokens: 1, estimated: true } },
        { type: "error", error: new LfError("provider_error", "stream broke") },
      ],
    ]);
    const parts = await collect(runToolLoop({ model, call: { messages: [], parameters: {} } }));
    expect(parts.map((p) => p.type)).toEqual(["text-delta", "usage", "error"]);
    expect(parts[1]).toEqual({ type: "usage", usage: { inputTokens: 1, outputTokens: 1, estimated: true } });
  });

  it("with a cap of 0, runs no tools at all", async () => {
    let ran = false;
    const mcpTools = await bindMcpTools(
      source(async () => {
        ran = true;
        return text("x");
      }),
      undefined,
    );
    const model = new ScriptedModel([() => askTools(toolCall("kit__add", {}))]);
    const parts = await collect(runToolLoop({ model, call: { messages: [], parameters: {} }, mcpTools, maxToolIterations: 0 }));
    expect(parts.at(-1)).toEqual({ type: "finish", finishReason: "max-tool-iterations" });
    expect(ran).toBe(false);
  });
});
