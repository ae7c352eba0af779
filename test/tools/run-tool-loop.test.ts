import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LfError, type StreamPart } from "../../runtime/core/index.js";
import { bindMcpTools, McpPool, runToolLoop, type McpBinding } from "../../runtime/tools/index.js";
import { askTools, collect, say, ScriptedModel, toolCall, toolReply, type ScriptedTurn } from "./support/scripted-model.js";
import { everythingStdio, filesystemStdio, isAlive, waitFor } from "./support/servers.js";

let folder: string;
let pool: McpPool;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "lf-tools-"));
  await writeFile(join(folder, "notes.txt"), "llamas are fluffy\n");
  pool = new McpPool([everythingStdio("everything"), everythingStdio("twin"), filesystemStdio(folder, "fs"), everythingStdio("slow", { timeout_ms: 300 })]);
});

afterAll(async () => {
  const pids = pool.status().flatMap((s) => (s.pid === undefined ? [] : [s.pid]));
  await pool.close();
  expect(pids.filter(isAlive)).toEqual([]);
  await rm(folder, { recursive: true, force: true });
});

async function run(turns: ScriptedTurn[], binding?: McpBinding[], extra: Partial<Parameters<typeof runToolLoop>[0]> = {}) {
  const model = new ScriptedModel(turns);
  const mcpTools = await bindMcpTools(pool, binding);
  const parts = await collect(
    runToolLoop({ model, call: { messages: [{ role: "user", content: "go" }], parameters: {} }, mcpTools, ...extra }),
  );
  return { model, parts, mcpTools };
}

const ofType = <T extends StreamPart["type"]>(parts: StreamPart[], type: T) => parts.filter((p): p is Extract<StreamPart, { type: T }> => p.type === type);

describe("runToolLoop with real MCP servers", () => {
  it("runs get-sum and gives its result to the model's next request", async () => {
    const call = toolCall("everything__get-sum", { a: 2, b: 3 });
    const { model, parts } = await run(
      [
        (request) => {
          const sum = request.tools?.find((t) => t.name === "everything__get-sum");
          expect(sum?.description).toMatch(/sum/i);
          expect(sum?.parameters).toMatchObject({ type: "object", properties: { a: { type: "number" }, b: { type: "number" } } });
          return [{ type: "text-delta", text: "Let me add. " }, ...askTools(call)];
        },
        (request) => {
          expect(toolReply(request, call.id)).toMatchObject({ role: "tool", isError: false, content: expect.stringContaining("is 5") });
          const assistant = request.messages.find((m) => m.role === "assistant");
          expect(assistant).toMatchObject({ content: "Let me add. ", toolCalls: [call] });
          return say("2 + 3 = 5");
        },
      ],
      ["everything"],
    );

    expect(parts.map((p) => p.type)).toEqual(["text-delta", "tool-start", "tool-result", "text-delta", "usage", "finish"]);
    expect(ofType(parts, "tool-start")[0]).toMatchObject({ server: "everything", tool: "get-sum", toolCall: call });
    const result = ofType(parts, "tool-result")[0];
    expect(result).toMatchObject({ isError: false, output: expect.stringContaining("is 5") });
    expect(result?.durationMs).toBeGreaterThanOrEqual(0);
    expect(ofType(parts, "usage")).toEqual([{ type: "usage", usage: { inputTokens: 30, outputTokens: 12 } }]);
    expect(parts.at(-1)).toEqual({ type: "finish", finishReason: "stop" });
    expect(model.requests).toHaveLength(2);
  });

  it("reads a file with server-filesystem's read_text_file", async () => {
    const call = toolCall("fs__read_text_file", { path: join(folder, "notes.txt") });
    const { parts } = await run(
      [
        () => askTools(call),
        (request) => {
          expect(toolReply(request, call.id)?.content).toBe("llamas are fluffy\n");
          return say("They are fluffy.");
        },
      ],
      ["fs"],
    );
    expect(ofType(parts, "tool-result")[0]).toMatchObject({ isError: false, output: "llamas are fluffy\n" });
  });

  it("runs every call of a turn, in parallel", async () => {
    const first = toolCall("everything__trigger-long-running-operation", { duration: 1.5, steps: 1 });
    const second = toolCall("twin__trigger-long-running-operation", { duration: 1.5, steps: 1 });
    const third = toolCall("everything__echo", { message: "quick" });
    const { parts } = await run([
      () => askTools(first, second, third),
      (request) => {
        const tools = request.messages.filter((m) => m.role === "tool");
        expect(tools.map((m) => m.toolCallId)).toEqual([first.id, second.id, third.id]);
        expect(tools.every((m) => m.isError === false)).toBe(true);
        return say("done");
      },
    ]);
    expect(ofType(parts, "tool-start").map((p) => p.toolCall.id)).toEqual([first.id, second.id, third.id]);
    // Results stream in as they finish: the quick echo, asked last, comes first, which it could not if the
    // calls ran one after the other (no wall-clock bound: those flake on a loaded machine).
    expect(ofType(parts, "tool-result").map((p) => p.toolCall.id)[0]).toBe(third.id);
  });

  it("offers no tools to a model bound to []", async () => {
    const { model } = await run([() => say("no tools here")], []);
    expect(model.requests[0]?.tools).toBeUndefined();
  });

  it("narrows a server to the named tools; anything else is an unknown tool", async () => {
    const call = toolCall("everything__get-sum", { a: 1, b: 1 });
    const { model, parts, mcpTools } = await run(
      [
        () => askTools(call),
        (request) => {
          expect(toolReply(request, call.id)).toMatchObject({ isError: true, content: expect.stringContaining('Unknown tool "everything__get-sum"') });
          return say("ok");
        },
      ],
      [{ server: "everything", tools: ["echo", "get-env"] }, { server: "fs", tools: ["read_text_file"] }],
    );
    expect(model.requests[0]?.tools?.map((t) => t.name)).toEqual(["everything__echo", "everything__get-env", "fs__read_text_file"]);
    expect(mcpTools.issues).toEqual([]);
    expect(ofType(parts, "tool-result")[0]?.isError).toBe(true);
  });

  it("namespaces two servers that expose the same tool name", async () => {
    const a = toolCall("everything__echo", { message: "from one" });
    const b = toolCall("twin__echo", { message: "from two" });
    const { model, parts } = await run(
      [
        () => askTools(a, b),
        (request) => {
          expect(toolReply(request, a.id)?.content).toBe("Echo: from one");
          expect(toolReply(request, b.id)?.content).toBe("Echo: from two");
          return say("both");
        },
      ],
      [{ server: "everything", tools: ["echo"] }, { server: "twin", tools: ["echo"] }],
    );
    expect(model.requests[0]?.tools?.map((t) => t.name)).toEqual(["everything__echo", "twin__echo"]);
    expect(ofType(parts, "tool-start").map((p) => [p.server, p.tool])).toEqual([
      ["everything", "echo"],
      ["twin", "echo"],
    ]);
  });

  it("stops at the iteration cap with max-tool-iterations and no canned text", async () => {
    const always: ScriptedTurn = () => askTools(toolCall("everything__echo", { message: "again" }));
    const { model, parts } = await run([always, always, always], ["everything"], { maxToolIterations: 2 });
    expect(model.requests).toHaveLength(3);
    expect(ofType(parts, "tool-result")).toHaveLength(2);
    expect(ofType(parts, "text-delta")).toEqual([]);
    expect(ofType(parts, "usage")[0]?.usage).toEqual({ inputTokens: 30, outputTokens: 15 });
    expect(parts.at(-1)).toEqual({ type: "finish", finishReason: "max-tool-iterations" });
  });

  it("turns a tool timeout into an error result and carries on", async () => {
    const slow = toolCall("slow__trigger-long-running-operation", { duration: 5, steps: 5 });
    const { parts } = await run(
      [
        () => askTools(slow),
        (request) => {
          expect(toolReply(request, slow.id)).toMatchObject({ isError: true, content: expect.stringMatching(/within 300 ms/) });
          return say("that took too long");
        },
      ],
      ["slow"],
    );
    const result = ofType(parts, "tool-result")[0];
    expect(result?.isError).toBe(true);
    expect(result?.durationMs).toBeLessThan(3000);
    expect(parts.at(-1)).toEqual({ type: "finish", finishReason: "stop" });
  });

  it("turns invalid JSON, non-object arguments and a tool's own isError into results the model reads", async () => {
    const badJson = toolCall("everything__echo", '{"message": ');
    const notObject = toolCall("everything__echo", "[1,2]");
    const rejected = toolCall("everything__get-sum", { a: "one", b: 2 });
    const { parts } = await run(
      [
        () => askTools(badJson, notObject, rejected),
        (request) => {
          expect(toolReply(request, badJson.id)).toMatchObject({ isError: true, content: expect.stringMatching(/Invalid JSON arguments/) });
          expect(toolReply(request, notObject.id)).toMatchObject({ isError: true, content: expect.stringMatching(/must be a JSON object/) });
          expect(toolReply(request, rejected.id)).toMatchObject({ isError: true });
          return say("I will fix my arguments");
        },
      ],
      ["everything"],
    );
    expect(ofType(parts, "tool-result").every((p) => p.isError)).toBe(true);
    expect(parts.at(-1)).toEqual({ type: "finish", finishReason: "stop" });
  });

  it("bounds large tool output and says so", async () => {
    const call = toolCall("everything__get-env", {});
    const { parts } = await run([() => askTools(call), () => say("ok")], ["everything"], { maxToolOutputBytes: 20 });
    const output = ofType(parts, "tool-result")[0]?.output ?? "";
    expect(output).toMatch(/^.{0,20}\n\[output truncated: \d+ of \d+ bytes shown\]$/s);
  });

  it("hands client tools back as tool-call parts without running them", async () => {
    const weather = { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } } } };
    const call = toolCall("get_weather", { city: "Lima" });
    const model = new ScriptedModel([() => askTools(call)]);
    const mcpTools = await bindMcpTools(pool, [{ server: "everything", tools: ["echo"] }]);
    const parts = await collect(runToolLoop({ model, call: { messages: [{ role: "user", content: "weather?" }], parameters: {}, tools: [weather] }, mcpTools }));
    expect(model.requests[0]?.tools?.map((t) => t.name)).toEqual(["everything__echo", "get_weather"]);
    expect(parts).toEqual([
      { type: "tool-call", toolCall: call },
      { type: "usage", usage: { inputTokens: 10, outputTokens: 5 } },
      { type: "finish", finishReason: "tool-calls" },
    ]);
  });

  it("in a turn that mixes client and MCP calls, returns the client calls and runs none of the MCP ones", async () => {
    const weather = { name: "get_weather", parameters: { type: "object" } };
    const client = toolCall("get_weather", { city: "Quito" });
    const mcp = toolCall("everything__echo", { message: "not run" });
    const model = new ScriptedModel([() => askTools(mcp, client)]);
    const mcpTools = await bindMcpTools(pool, ["everything"]);
    const parts = await collect(runToolLoop({ model, call: { messages: [{ role: "user", content: "x" }], parameters: {}, tools: [weather] }, mcpTools }));
    expect(parts.map((p) => p.type)).toEqual(["tool-call", "usage", "finish"]);
    expect(ofType(parts, "tool-call")[0]?.toolCall).toEqual(client);
    expect(parts.at(-1)).toEqual({ type: "finish", finishReason: "tool-calls" });
  });
});

describe("runToolLoop when a stdio server dies mid-conversation", () => {
  it("restarts the server and the next call works", async () => {
    const own = new McpPool([everythingStdio("everything")]);
    try {
      const mcpTools = await bindMcpTools(own, ["everything"]);
      const first = toolCall("everything__echo", { message: "first" });
      const second = toolCall("everything__echo", { message: "second" });
      let killed: number | undefined;
      const model = new ScriptedModel([
        () => askTools(first),
        async (request) => {
          expect(toolReply(request, first.id)?.content).toBe("Echo: first");
          killed = own.status()[0]?.pid;
          process.kill(killed!, "SIGKILL");
          await waitFor(() => own.status()[0]?.state === "failed");
          return askTools(second);
        },
        (request) => {
          expect(toolReply(request, second.id)).toMatchObject({ isError: false, content: "Echo: second" });
          return say("recovered");
        },
      ]);
      const parts = await collect(runToolLoop({ model, call: { messages: [{ role: "user", content: "go" }], parameters: {} }, mcpTools }));
      expect(parts.at(-1)).toEqual({ type: "finish", finishReason: "stop" });
      expect(isAlive(killed!)).toBe(false);
      expect(own.status()[0]).toMatchObject({ state: "ready" });
      expect(own.status()[0]?.pid).not.toBe(killed);
    } finally {
      await own.close();
    }
  });
});

describe("runToolLoop and model failures", () => {
  it("throws a failure that happens before any output, so the caller can fall back", async () => {
    const model = new ScriptedModel([
      () => {
        throw new LfError("provider_unreachable", "down");
      },
    ]);
    await expect(collect(runToolLoop({ model, call: { messages: [], parameters: {} } }))).rejects.toMatchObject({ code: "provider_unreachable" });
  });

  it("ends with an error part when the model fails after tools have run", async () => {
    const mcpTools = await bindMcpTools(pool, [{ server: "everything", tools: ["echo"] }]);
    const model = new ScriptedModel([
      () => askTools(toolCall("everything__echo", { message: "x" })),
      () => {
        throw new LfError("provider_timeout", "slow upstream");
      },
    ]);
    const parts = await collect(runToolLoop({ model, call: { messages: [], parameters: {} }, mcpTools }));
    expect(parts.map((p) => p.type)).toEqual(["tool-start", "tool-result", "usage", "error"]);
    expect(ofType(parts, "error")[0]?.error.code).toBe("provider_timeout");
  });
});
