import { describe, expect, it } from "vitest";
import { LfError, seededRandom, type ModelAdapter, type ModelCallOptions, type StreamPart } from "../../runtime/core/index.js";
import { executeWithFallback, type ExecutorDeps } from "../../runtime/routing/execute-with-fallback.js";
import type { RoutableModel } from "../../runtime/routing/routable-model.js";
import type { RoutingEvent } from "../../runtime/routing/route-attempt.js";
import { MemoryStateStore } from "../../runtime/state/index.js";
import { ManualClock } from "../helpers/manual-clock.js";
import { answer, collecting, connectionReset, httpError, model, scriptedAdapter, type ScriptedAdapter } from "./scripted-adapter.js";

const ask = { messages: [{ role: "user" as const, content: "hello" }], parameters: {} };

function setup() {
  const clock = new ManualClock();
  const events: RoutingEvent[] = [];
  const deps: ExecutorDeps = { store: new MemoryStateStore({ clock }), clock, random: seededRandom(7), onEvent: (e) => events.push(e) };
  return { clock, deps, events };
}

async function drain(stream: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

function text(parts: StreamPart[]): string {
  return parts.map((p) => (p.type === "text-delta" ? p.text : "")).join("");
}

describe("executeWithFallback", () => {
  it("falls back when the first model fails before its first part", async () => {
    const { clock, deps } = setup();
    const a = scriptedAdapter("a", clock, [[{ throw: httpError(500) }]]);
    const b = scriptedAdapter("b", clock, [answer("from b")]);
    const result = executeWithFallback({ candidates: [model("a", a), model("b", b)], options: ask }, deps);
    const parts = await clock.run(drain(result));
    expect(text(parts)).toBe("from b");
    expect(result.servedBy).toBe("b");
    expect(result.attempts.map((x) => [x.model, x.outcome, x.status])).toEqual([
      ["a", "failed", 500],
      ["b", "success", undefined],
    ]);
    expect(result.usage).toEqual({ inputTokens: 10, outputTokens: 5 });
  });

  it("ends with an error part, not a fallback, when a model fails after its first part", async () => {
    const { clock, deps } = setup();
    const a = scriptedAdapter("a", clock, [[{ text: "par" }, { throw: connectionReset() }]]);
    const b = scriptedAdapter("b", clock, [answer("from b")]);
    const result = executeWithFallback({ candidates: [model("a", a), model("b", b)], options: ask }, deps);
    const parts = await clock.run(drain(result));
    expect(parts.map((p) => p.type)).toEqual(["text-delta", "error"]);
    expect(b.calls).toHaveLength(0);
    expect(result.servedBy).toBe("a");
    expect(result.attempts[0]).toMatchObject({ model: "a", outcome: "failed", afterOutput: true, code: "provider_unreachable" });
  });

  it("holds output for a reader that wants the whole answer, so a model that breaks midway is still replaced", async () => {
    const { clock, deps } = setup();
    const a = scriptedAdapter("a", clock, [[{ text: "par" }, { throw: connectionReset() }]]);
    const b = scriptedAdapter("b", clock, [answer("from b")]);
    const a1 = model("a", a, { retries: { max_attempts: 1, initial_backoff_ms: 0, max_backoff_ms: 0, max_retry_after_ms: 0 } });
    const result = executeWithFallback({ candidates: [a1, model("b", b)], options: ask, holdOutput: true }, deps);
    const parts = await clock.run(drain(result));
    expect(text(parts)).toBe("from b");
    expect(parts.some((p) => p.type === "error")).toBe(false);
    expect(result.servedBy).toBe("b");
    expect(result.attempts.map((x) => [x.model, x.outcome])).toEqual([
      ["a", "failed"],
      ["b", "success"],
    ]);
  });

  it.each([
    ["streamed", (a: ScriptedAdapter) => a],
    ["collected by the adapter", collecting],
  ] as const)("reads a whole answer %s: a hung model is passed over at its connect or first-token deadline, a slow but live one finishes", async (_how, wrap) => {
    const { clock, deps } = setup();
    const scripted = (...args: Parameters<typeof scriptedAdapter>) => wrap(scriptedAdapter(...args));
    const timeouts = { connect_ms: 1000, first_token_ms: 2000, idle_ms: 500, total_ms: 30_000 };
    const once = { max_attempts: 1, initial_backoff_ms: 0, max_backoff_ms: 0, max_retry_after_ms: 0 };

    // Headers at once, then a token every 400 ms for 8 s: longer than first_token, never idle for 500 ms.
    const slow = scripted("slow", clock, [[{ respond: true }, ...Array.from({ length: 20 }, (_, i) => [{ delay: 400 }, { text: `${i} ` }]).flat(), ...answer("end")]]);
    const live = executeWithFallback({ candidates: [model("slow", slow, { timeouts })], options: ask, holdOutput: true }, deps);
    expect(text(await clock.run(live.collect()))).toMatch(/^0 1 .* 19 end$/);
    expect(live.servedBy).toBe("slow");

    // Accepts the connection and never answers: connect passes it over, and b has the rest of the total.
    const hung = scripted("h", clock, [[{ hang: true }]]);
    let started = clock.now();
    const late = executeWithFallback({ candidates: [model("h", hung, { timeouts, retries: once }), model("b", scripted("b", clock, [answer("b")]))], options: ask, holdOutput: true }, deps);
    expect(text(await clock.run(drain(late)))).toBe("b");
    expect(late.attempts[0]).toMatchObject({ model: "h", code: "provider_timeout", outcome: "failed", detail: expect.stringContaining("response from the provider") });
    expect(clock.now() - started).toBe(1000);
    expect(hung.aborted).toBe(1);

    // Retries allowed: a timeout still moves on at once while another model can answer.
    const stuck = scripted("s", clock, [[{ hang: true }]]);
    started = clock.now();
    const retried = { max_attempts: 3, initial_backoff_ms: 0, max_backoff_ms: 0, max_retry_after_ms: 0 };
    const passed = executeWithFallback({ candidates: [model("s", stuck, { timeouts, retries: retried }), model("b", scripted("b", clock, [answer("b")]))], options: ask, holdOutput: true }, deps);
    expect(text(await clock.run(passed.collect()))).toBe("b");
    expect(stuck.calls).toHaveLength(1);
    expect(clock.now() - started).toBe(1000);
    // The last model of a chain is retried as its policy says.
    const alone = scripted("s2", clock, [[{ hang: true }], answer("second try")]);
    expect(text(await clock.run(executeWithFallback({ candidates: [model("s2", alone, { timeouts, retries: retried })], options: ask, holdOutput: true }, deps).collect()))).toBe("second try");

    // Answers (headers) and then sends nothing: first_token passes it over.
    const mute = scripted("m", clock, [[{ respond: true }, { hang: true }]]);
    started = clock.now();
    const silent = executeWithFallback({ candidates: [model("m", mute, { timeouts, retries: once }), model("b", scripted("b", clock, [answer("b")]))], options: ask, holdOutput: true }, deps);
    expect(text(await clock.run(silent.collect()))).toBe("b");
    expect(silent.attempts[0]).toMatchObject({ model: "m", code: "provider_timeout", detail: expect.stringContaining("first token") });
    expect(clock.now() - started).toBe(2000);

    // Collected, the answer comes back at once, and only once.
    const collected = executeWithFallback({ candidates: [model("a", scripted("a", clock, [answer("all at once")]))], options: ask, holdOutput: true }, deps);
    expect((await clock.run(collected.collect())).map((p) => p.type)).toEqual(["text-delta", "usage", "finish"]);
    await expect(collected.collect()).rejects.toThrow(/read only once/);
  });

  it("commits at once, even when holding output, when the runtime runs a tool (its effects must not repeat)", async () => {
    const { clock, deps } = setup();
    const call = { id: "t1", name: "fs__write", arguments: "{}" };
    const a = scriptedAdapter("a", clock, [[{ part: { type: "tool-start", toolCall: call, server: "fs", tool: "write" } }, { throw: connectionReset() }]]);
    const b = scriptedAdapter("b", clock, [answer("from b")]);
    const result = executeWithFallback({ candidates: [model("a", a), model("b", b)], options: ask, holdOutput: true }, deps);
    const parts = await clock.run(drain(result));
    expect(parts.map((p) => p.type)).toEqual(["tool-start", "error"]);
    expect(b.calls).toHaveLength(0);
  });

  it("treats an error part before any output like a thrown error", async () => {
    const { clock, deps } = setup();
    const early = { type: "error", error: httpError(503) } as const;
    const a = scriptedAdapter("a", clock, [[{ part: early }]]);
    const b = scriptedAdapter("b", clock, [answer("ok")]);
    const result = executeWithFallback({ candidates: [model("a", a), model("b", b)], options: ask }, deps);
    expect(text(await clock.run(drain(result)))).toBe("ok");
  });

  it("retries with backoff, honouring Retry-After", async () => {
    const { clock, deps } = setup();
    const a = scriptedAdapter("a", clock, [[{ throw: httpError(429, { "retry-after": "3" }) }], answer("second time")]);
    const retries = { max_attempts: 3, initial_backoff_ms: 100, max_backoff_ms: 1000, max_retry_after_ms: 5000 };
    const result = executeWithFallback({ candidates: [model("a", a, { retries })], options: ask }, deps);
    const started = clock.now();
    const parts = await clock.run(drain(result));
    expect(text(parts)).toBe("second time");
    expect(clock.now() - started).toBe(3000);
    expect(result.attempts.map((x) => x.attempt)).toEqual([1, 2]);
  });

  it("moves to the next model when Retry-After is longer than allowed", async () => {
    const { clock, deps } = setup();
    const a = scriptedAdapter("a", clock, [[{ throw: httpError(429, { "retry-after": "60" }) }]]);
    const b = scriptedAdapter("b", clock, [answer("b")]);
    const retries = { max_attempts: 3, initial_backoff_ms: 100, max_backoff_ms: 1000, max_retry_after_ms: 5000 };
    const result = executeWithFallback({ candidates: [model("a", a, { retries }), model("b", b)], options: ask }, deps);
    const started = clock.now();
    await clock.run(drain(result));
    expect(a.calls).toHaveLength(1);
    expect(result.servedBy).toBe("b");
    expect(clock.now()).toBe(started);
  });

  it("uses full-jitter backoff below the exponential ceiling", async () => {
    const { clock, deps } = setup();
    const a = scriptedAdapter("a", clock, [[{ throw: httpError(503) }], [{ throw: httpError(503) }], answer("third")]);
    const retries = { max_attempts: 3, initial_backoff_ms: 1000, max_backoff_ms: 1500, max_retry_after_ms: 5000 };
    const result = executeWithFallback({ candidates: [model("a", a, { retries })], options: ask }, deps);
    const started = clock.now();
    await clock.run(drain(result));
    expect(a.calls).toHaveLength(3);
    expect(clock.now() - started).toBeLessThan(1000 + 1500);
  });

  it("moves on after 401 without retrying the same model", async () => {
    const { clock, deps } = setup();
    const a = scriptedAdapter("a", clock, [[{ throw: httpError(401) }]]);
    const b = scriptedAdapter("b", clock, [answer("b")]);
    const retries = { max_attempts: 5, initial_backoff_ms: 100, max_backoff_ms: 1000, max_retry_after_ms: 5000 };
    const result = executeWithFallback({ candidates: [model("a", a, { retries }), model("b", b)], options: ask }, deps);
    await clock.run(drain(result));
    expect(a.calls).toHaveLength(1);
    expect(result.servedBy).toBe("b");
  });

  it("stops at 400: the request is wrong for every model", async () => {
    const { clock, deps } = setup();
    const a = scriptedAdapter("a", clock, [[{ throw: httpError(400) }]]);
    const b = scriptedAdapter("b", clock, [answer("b")]);
    const result = executeWithFallback({ candidates: [model("a", a), model("b", b)], options: ask }, deps);
    await expect(clock.run(drain(result))).rejects.toMatchObject({ code: "invalid_request" });
    expect(b.calls).toHaveLength(0);
  });

  it("times out a hanging model, aborts its call and falls back", async () => {
    const { clock, deps } = setup();
    const a = scriptedAdapter("a", clock, [[{ hang: true }]]);
    const b = scriptedAdapter("b", clock, [answer("b")]);
    const result = executeWithFallback(
      { candidates: [model("a", a, { timeouts: { connect_ms: 2000 } }), model("b", b)], options: ask },
      deps,
    );
    const started = clock.now();
    await clock.run(drain(result));
    expect(clock.now() - started).toBe(2000);
    expect(a.aborted).toBe(1);
    expect(result.attempts[0]).toMatchObject({ code: "provider_timeout", outcome: "failed" });
  });

  it("applies the first-token timeout even after other parts arrived, and still falls back", async () => {
    const { clock, deps } = setup();
    const usage = { type: "usage", usage: { inputTokens: 1, outputTokens: 0 } } as const;
    const a = scriptedAdapter("a", clock, [[{ part: usage }, { hang: true }]]);
    const b = scriptedAdapter("b", clock, [answer("b")]);
    const result = executeWithFallback(
      { candidates: [model("a", a, { timeouts: { first_token_ms: 3000, idle_ms: 10_000 } }), model("b", b)], options: ask },
      deps,
    );
    const started = clock.now();
    const parts = await clock.run(drain(result));
    // The usage part was held back, so the reader had seen nothing and b could still answer.
    expect(text(parts)).toBe("b");
    expect(parts.filter((p) => p.type === "usage")).toHaveLength(1);
    expect(clock.now() - started).toBe(3000);
    expect(a.aborted).toBe(1);
    expect(result.servedBy).toBe("b");
  });

  it("passes on a stream that has only bookkeeping parts", async () => {
    const { clock, deps } = setup();
    const a = scriptedAdapter("a", clock, [[{ part: { type: "usage", usage: { inputTokens: 1, outputTokens: 0 } } }, { part: { type: "finish", finishReason: "length" } }]]);
    const result = executeWithFallback({ candidates: [model("a", a)], options: ask }, deps);
    expect((await clock.run(drain(result))).map((p) => p.type)).toEqual(["usage", "finish"]);
    expect(result.servedBy).toBe("a");
  });

  it("applies the idle timeout between parts and reports it as an error part", async () => {
    const { clock, deps } = setup();
    const a = scriptedAdapter("a", clock, [[{ text: "a" }, { delay: 500 }, { text: "b" }, { hang: true }]]);
    const result = executeWithFallback({ candidates: [model("a", a, { timeouts: { idle_ms: 1000 } })], options: ask }, deps);
    const parts = await clock.run(drain(result));
    expect(parts.map((p) => p.type)).toEqual(["text-delta", "text-delta", "error"]);
    const last = parts[2];
    expect(last?.type === "error" && last.error.code).toBe("provider_timeout");
  });

  it("never lets the request outlive its total timeout", async () => {
    const { clock, deps } = setup();
    const slow = (name: string) =>
      model(name, scriptedAdapter(name, clock, [[{ delay: 4000 }, ...answer("late")]]), {
        retries: { max_attempts: 3, initial_backoff_ms: 100, max_backoff_ms: 100, max_retry_after_ms: 1000 },
        timeouts: { first_token_ms: 3000 },
      });
    const result = executeWithFallback({ candidates: [slow("a"), slow("b"), slow("c")], options: ask, totalTimeoutMs: 5000 }, deps);
    const started = clock.now();
    const error = await clock.run(drain(result)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LfError);
    expect((error as LfError).code).toBe("all_models_failed");
    expect(clock.now() - started).toBeLessThanOrEqual(5000);
  });

  it("ends everything when the client aborts", async () => {
    const { clock, deps } = setup();
    const controller = new AbortController();
    const a = scriptedAdapter("a", clock, [[{ hang: true }]]);
    const b = scriptedAdapter("b", clock, [answer("b")]);
    const result = executeWithFallback({ candidates: [model("a", a), model("b", b)], options: { ...ask, signal: controller.signal } }, deps);
    const pending = drain(result).catch((e: unknown) => e);
    await clock.advance(100);
    controller.abort();
    const error = await pending;
    expect((error as LfError).code).toBe("aborted");
    expect(b.calls).toHaveLength(0);
    expect(a.aborted).toBe(1);
  });

  it("aborts the upstream call when the reader stops early", async () => {
    const { clock, deps } = setup();
    const a = scriptedAdapter("a", clock, [[{ text: "1" }, { delay: 10 }, { text: "2" }, { hang: true }]]);
    const result = executeWithFallback({ candidates: [model("a", a)], options: ask }, deps);
    for await (const part of result) {
      expect(part.type).toBe("text-delta");
      break;
    }
    await clock.advance(0);
    expect(a.aborted).toBe(1);
  });

  it("skips models that cannot take the request and says why", async () => {
    const { clock, deps } = setup();
    const noTools = scriptedAdapter("n", clock, [answer("n")]);
    const small = scriptedAdapter("s", clock, [answer("s")]);
    const options = { ...ask, tools: [{ name: "t", parameters: {} }] };
    const result = executeWithFallback(
      {
        candidates: [
          model("n", noTools, { capabilities: { tools: false, vision: false, json: true } }),
          model("s", small, { contextWindow: 5 }),
        ],
        options,
      },
      deps,
    );
    const error = (await clock.run(drain(result)).catch((e: unknown) => e)) as LfError;
    expect(error.code).toBe("all_models_failed");
    expect(error.message).toContain("n: skipped (needs_tools");
    expect(error.message).toContain("s: skipped (context_window");
    expect(noTools.calls).toHaveLength(0);
  });

  it("applies max_cost to fallbacks too", async () => {
    const { clock, deps } = setup();
    const pricey = scriptedAdapter("p", clock, [answer("p")]);
    const local = scriptedAdapter("l", clock, [answer("l")]);
    const result = executeWithFallback(
      {
        candidates: [model("p", pricey, { pricing: { input_per_1k: 10, output_per_1k: 10 } }), model("l", local)],
        options: ask,
        constraints: { maxCost: 0.01 },
      },
      deps,
    );
    await clock.run(drain(result));
    expect(result.servedBy).toBe("l");
    expect(result.attempts[0]).toMatchObject({ model: "p", skipped: "max_cost" });
    expect(pricey.calls).toHaveLength(0);
  });

  it("says per model what happened when everything failed", async () => {
    const { clock, deps } = setup();
    const a = scriptedAdapter("a", clock, [[{ throw: httpError(500) }]]);
    const b = scriptedAdapter("b", clock, [[{ throw: httpError(403) }]]);
    const result = executeWithFallback({ candidates: [model("a", a), model("b", b)], options: ask }, deps);
    const error = (await clock.run(drain(result)).catch((e: unknown) => e)) as LfError;
    expect(error.code).toBe("all_models_failed");
    expect(error.message).toMatch(/a: failed 500 provider_error after 1 attempt.*b: failed 403 provider_error/);
  });

  it("cannot be read twice", async () => {
    const { clock, deps } = setup();
    const a = scriptedAdapter("a", clock, [answer("once")]);
    const result = executeWithFallback({ candidates: [model("a", a)], options: ask }, deps);
    await clock.run(drain(result));
    expect(() => result[Symbol.asyncIterator]()).toThrow(LfError);
    expect(a.calls).toHaveLength(1);
  });

  it("reports the serving model before the first part is read", async () => {
    const { clock, deps } = setup();
    const seen: string[] = [];
    const a = scriptedAdapter("a", clock, [answer("x")]);
    const result = executeWithFallback({ candidates: [model("a", a)], options: ask, onServe: (m: RoutableModel) => seen.push(m.name) }, deps);
    const iterator = result[Symbol.asyncIterator]();
    await iterator.next();
    expect(seen).toEqual(["a"]);
    await clock.run(drain({ [Symbol.asyncIterator]: () => iterator }));
  });
});

