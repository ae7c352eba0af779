import { describe, expect, it } from "vitest";
import type { StreamPart } from "../../runtime/core/index.js";
import { buildUsageRecord, fallbackDepth, modelPrice, trackUsage, type UsageRecord } from "../../runtime/usage/index.js";
import { projectIn } from "./support/project.js";

const priced = (provider: string, modelId: string) => modelPrice({ provider: provider as never, modelId, pricing: undefined });

describe("modelPrice", () => {
  it("takes the config's pricing first, then local models at zero, then the built-in table by id or dated snapshot", () => {
    expect(modelPrice({ provider: "openai", modelId: "gpt-4o", pricing: { inputPer1k: 1, outputPer1k: 2 } })).toEqual({ inputPer1k: 1, outputPer1k: 2, source: "config" });
    expect(priced("ollama", "llama3.1:8b")).toEqual({ inputPer1k: 0, outputPer1k: 0, source: "local" });
    expect(priced("llamacpp", "models/x.gguf")?.source).toBe("local");
    expect(priced("openai", "gpt-4o-2024-08-06")).toMatchObject({ inputPer1k: 0.0025, outputPer1k: 0.01, source: "built-in" });
    expect(priced("openai", "gpt-4o-mini-2024-07-18")).toMatchObject({ inputPer1k: 0.00015 });
    expect(priced("openai", "gpt-4.1-nano")).toMatchObject({ inputPer1k: 0.0001 });
    expect(priced("anthropic", "claude-sonnet-4-5-20250929")).toMatchObject({ inputPer1k: 0.003, outputPer1k: 0.015 });
    expect(priced("anthropic", "claude-opus-4-1-20250805")).toMatchObject({ inputPer1k: 0.015 });
    expect(priced("anthropic", "claude-haiku-4-5")).toMatchObject({ inputPer1k: 0.001 });
    expect(priced("openai", "some-vllm-model")).toBeUndefined();
  });
});

describe("fallbackDepth", () => {
  it("counts the distinct models before the one that answered, retries not included", () => {
    const a = (model: string, outcome: "failed" | "skipped" | "success" = "failed") => ({ model, outcome, durationMs: 1 });
    expect(fallbackDepth([a("x", "success")], "x")).toBe(0);
    expect(fallbackDepth([a("x"), a("x"), a("x", "success")], "x")).toBe(0);
    expect(fallbackDepth([a("x", "skipped"), a("y"), a("z", "success")], "z")).toBe(2);
    expect(fallbackDepth([a("x"), a("y")], undefined)).toBe(1);
  });
});

describe("trackUsage", () => {
  it("records a reader that stopped early as aborted, with the output it received", async () => {
    const { project } = projectIn(`
version: v1
name: p
namespace: n
runtime:
  models:
    - name: m
      provider: openai
      model: gpt-4o
      api_key: sk-test
`);
    const parts: StreamPart[] = [{ type: "text-delta", text: "abcdefgh" }, { type: "text-delta", text: "ijkl" }];
    const run = {
      requestedModel: "m",
      servedBy: "m",
      provider: "openai",
      attempts: [],
      usage: undefined,
      // The executor's first-output figure, which the record carries as it is.
      ttftMs: 10,
      async *[Symbol.asyncIterator]() {
        yield* parts;
      },
    };
    let time = 1000;
    let record: UsageRecord | undefined;
    for await (const part of trackUsage({}, { project, run, messages: [{ role: "user", content: "12345678" }], now: () => (time += 10), onRecord: (r) => (record = r) })) {
      expect(part.type).toBe("text-delta");
      break;
    }
    expect(record).toMatchObject({ outcome: "error", errorCode: "aborted", estimated: true, inputTokens: 2, outputTokens: 2, ttftMs: 10, latencyMs: 10 });
    expect(record!.costUsd).toBeCloseTo((2 / 1000) * 0.0025 + (2 / 1000) * 0.01, 12);
    expect(buildUsageRecord({ project, messages: [], answerChars: 0, startedAt: 0, endedAt: 5, requestedModel: "m", error: new Error("x") })).toMatchObject({
      requestedModel: "m",
      servedModel: undefined,
      outcome: "error",
      errorCode: "internal",
      costUsd: 0,
    });
  });
});
