import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelCallOptions } from "../../runtime/core/chat.js";
import { collectStream } from "../../runtime/core/collect-stream.js";
import { LfError, ProviderError } from "../../runtime/core/errors.js";
import type { StreamPart } from "../../runtime/core/stream-part.js";
import { createLlamaCppAdapter, disposeLlamaCppModels, loadedLlamaCppModelCount, type LlamaCppAdapterOptions } from "../../runtime/providers/llamacpp/index.js";
import { getSharedModel } from "../../runtime/providers/llamacpp/model-cache.js";
import { writeTinyGguf } from "../helpers/tiny-gguf.js";

const dir = mkdtempSync(join(tmpdir(), "lf-llamacpp-"));
const modelPath = join(dir, "tiny.gguf");
// One thread: on a small CI machine more threads than cores make a tiny model dozens of times slower.
const base: LlamaCppAdapterOptions = { modelPath, modelId: "tiny", maxContexts: 2, contextSize: 256, threads: 1 };

beforeAll(() => {
  writeTinyGguf(modelPath, { seed: 42 });
});

afterAll(async () => {
  await disposeLlamaCppModels();
  rmSync(dir, { recursive: true, force: true });
});

function request(parameters: ModelCallOptions["parameters"], extra: Partial<ModelCallOptions> = {}): ModelCallOptions {
  return { messages: [{ role: "system", content: "You are terse." }, { role: "user", content: "Say hello to the world" }], parameters, ...extra };
}

async function parts(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const all: StreamPart[] = [];
  for await (const part of stream) all.push(part);
  return all;
}

describe("llamacpp adapter", () => {
  it("streams text deltas, then usage, then finish", async () => {
    const adapter = createLlamaCppAdapter(base);
    const all = await parts(adapter.stream(request({ max_tokens: 24, temperature: 0.8, seed: 1 })));
    const deltas = all.filter((part) => part.type === "text-delta");
    expect(deltas.length).toBeGreaterThanOrEqual(3);
    expect(all.at(-2)).toMatchObject({ type: "usage" });
    expect(all.at(-1)).toEqual({ type: "finish", finishReason: "length" });
    const usage = all.find((part) => part.type === "usage");
    expect(usage?.type === "usage" && usage.usage.inputTokens).toBeGreaterThan(5);
    expect(usage?.type === "usage" && usage.usage.outputTokens).toBe(24);
    expect(all.findIndex((part) => part.type === "usage")).toBeGreaterThan(all.findLastIndex((part) => part.type === "text-delta"));
  });

  it("bounds the answer by max_tokens", async () => {
    const adapter = createLlamaCppAdapter(base);
    const short = await collectStream(adapter.stream(request({ max_tokens: 2, temperature: 0.8, seed: 5 })));
    expect(short.usage?.outputTokens).toBe(2);
    expect(short.finishReason).toBe("length");
  });

  it("is reproducible for a seed, and the seed matters", async () => {
    const adapter = createLlamaCppAdapter(base);
    const run = (seed: number) => collectStream(adapter.stream(request({ max_tokens: 16, temperature: 1, seed }))).then((r) => r.text);
    const first = await run(11);
    expect(await run(11)).toBe(first);
    const others = [await run(12), await run(13)];
    expect(others.some((text) => text !== first)).toBe(true);
  });

  it("stops at a stop sequence", async () => {
    const adapter = createLlamaCppAdapter(base);
    const parameters = { max_tokens: 32, temperature: 1, seed: 21 };
    const full = (await collectStream(adapter.stream(request(parameters)))).text;
    const stop = full.slice(10, 13);
    const stopped = await collectStream(adapter.stream(request({ ...parameters, stop: [stop] })));
    expect(stopped.finishReason).toBe("stop");
    expect(stopped.text).toBe(full.slice(0, full.indexOf(stop)));
  });

  it("ends generation when the signal aborts mid-stream", async () => {
    const adapter = createLlamaCppAdapter(base);
    const controller = new AbortController();
    const seen: StreamPart[] = [];
    for await (const part of adapter.stream(request({ max_tokens: 200, temperature: 0.8, seed: 2 }, { signal: controller.signal }))) {
      seen.push(part);
      if (part.type === "text-delta" && seen.length === 2) controller.abort();
    }
    const last = seen.at(-1);
    expect(last?.type).toBe("error");
    expect(last?.type === "error" && last.error.code).toBe("aborted");
    expect(seen.filter((part) => part.type === "text-delta").length).toBeLessThan(20);
    // The context went back to the pool: the next request runs.
    expect((await collectStream(adapter.stream(request({ max_tokens: 3 })))).usage?.outputTokens).toBe(3);
  });

  it("throws when aborted before any output, and frees the context when the consumer stops early", async () => {
    const adapter = createLlamaCppAdapter(base);
    const error = await collectStream(adapter.stream(request({ max_tokens: 5 }, { signal: AbortSignal.abort() }))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LfError);
    expect((error as LfError).code).toBe("aborted");

    for await (const part of adapter.stream(request({ max_tokens: 100, temperature: 0.8, seed: 3 }))) {
      if (part.type === "text-delta") break;
    }
    const shared = await getSharedModel(modelPath, { maxContexts: 2 });
    expect(shared.activeContexts).toBe(0);
  });

  it("shares one loaded model between adapters and bounds concurrent contexts", async () => {
    const adapters = [createLlamaCppAdapter(base), createLlamaCppAdapter({ ...base, modelId: "tiny-again" })];
    const shared = await getSharedModel(modelPath, { maxContexts: 2 });
    let maxActive = 0;
    let maxWaiting = 0;
    const results = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        let text = "";
        for await (const part of adapters[i % 2]!.stream(request({ max_tokens: 12, temperature: 0.8, seed: i }))) {
          maxActive = Math.max(maxActive, shared.activeContexts);
          maxWaiting = Math.max(maxWaiting, shared.waitingRequests);
          if (part.type === "text-delta") text += part.text;
        }
        return text;
      }),
    );
    expect(loadedLlamaCppModelCount()).toBe(1);
    expect(maxActive).toBe(2);
    expect(maxWaiting).toBeGreaterThan(0);
    expect(results.every((text) => text.length > 0)).toBe(true);
    expect(shared.activeContexts).toBe(0);
  });

  it("lets a waiting request leave the queue when its signal aborts", async () => {
    const path = join(dir, "single.gguf");
    writeTinyGguf(path, { seed: 4 });
    const adapter = createLlamaCppAdapter({ ...base, modelPath: path, maxContexts: 1 });
    const holder = adapter.stream(request({ max_tokens: 8, temperature: 0.8, seed: 1 }))[Symbol.asyncIterator]();
    expect((await holder.next()).value).toMatchObject({ type: "text-delta" });

    const controller = new AbortController();
    const waiter = adapter.stream(request({ max_tokens: 8 }, { signal: controller.signal }))[Symbol.asyncIterator]();
    const pending = waiter.next();
    const shared = await getSharedModel(path, { maxContexts: 1 });
    await expect.poll(() => shared.waitingRequests).toBe(1);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: "aborted" });
    expect(shared.waitingRequests).toBe(0);

    while (!(await holder.next()).done);
    expect(shared.activeContexts).toBe(0);
    await adapter.close();
  });

  it("uses the model's own chat template when it has one, a general format otherwise", async () => {
    const path = join(dir, "chatml.gguf");
    const chatml =
      "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";
    writeTinyGguf(path, { seed: 8, chatTemplate: chatml });
    const templated = await createLlamaCppAdapter({ ...base, modelPath: path }).check();
    expect(templated.ok).toBe(true);
    expect(templated.detail).not.toMatch(/General/);
    const plain = await createLlamaCppAdapter(base).check();
    expect(plain.detail).toMatch(/General chat format/);
  });

  it("offers tools to the model and rejects a tool_choice naming no tool", async () => {
    const adapter = createLlamaCppAdapter(base);
    const tools = [{ name: "get_time", description: "The current time", parameters: { type: "object", properties: { zone: { type: "string" } } } }];
    const answer = await collectStream(adapter.stream(request({ max_tokens: 6, temperature: 0.8, seed: 1, num_ctx: 1024 }, { tools })));
    expect(answer.usage?.inputTokens).toBeGreaterThan(0);
    const error = await collectStream(adapter.stream(request({ max_tokens: 6 }, { tools, toolChoice: { name: "nope" } }))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).code).toBe("invalid_request");
  });

  it("refuses a prompt longer than the context", async () => {
    const adapter = createLlamaCppAdapter(base);
    const long = "hello world ".repeat(200);
    const error = await collectStream(adapter.stream({ messages: [{ role: "user", content: long }], parameters: { num_ctx: 64 } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).message).toMatch(/raise num_ctx/);
  });

  it("reports a missing file or a directory as a ProviderError naming the path", async () => {
    for (const [path, message] of [
      [join(dir, "absent.gguf"), /model file not found: .*absent\.gguf/],
      [dir, /directory/],
    ] as const) {
      const adapter = createLlamaCppAdapter({ ...base, modelPath: path });
      const error = await collectStream(adapter.stream(request({ max_tokens: 2 }))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({ code: "model_not_found", isRetryable: false, provider: "llamacpp" });
      expect((error as Error).message).toMatch(message);
      const check = await adapter.check();
      expect(check.ok).toBe(false);
      expect(check.detail).toMatch(message);
    }
  });
});
