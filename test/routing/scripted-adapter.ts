import { ProviderError, type Clock, type ModelAdapter, type ModelCallOptions, type StreamPart } from "../../runtime/core/index.js";
import type { RoutableModel } from "../../runtime/routing/routable-model.js";

export type Step =
  | { text: string }
  | { part: StreamPart }
  | { throw: unknown }
  | { delay: number }
  | { hang: true }
  /** The provider has answered (response headers): `options.onResponse`. */
  | { respond: true };

export type Script = Step[];

export interface ScriptedAdapter extends ModelAdapter {
  readonly calls: ModelCallOptions[];
  /** Calls whose signal was aborted by the time they ended. */
  readonly aborted: number;
}

function abortError(): Error {
  const error = new Error("This operation was aborted");
  error.name = "AbortError";
  return error;
}

/** An in-memory model that plays one script per call (the last script repeats), timed by `clock`. */
export function scriptedAdapter(modelId: string, clock: Clock, scripts: Script[] | ((call: number) => Script)): ScriptedAdapter {
  const calls: ModelCallOptions[] = [];
  let aborted = 0;
  return {
    provider: "scripted",
    modelId,
    calls,
    get aborted() {
      return aborted;
    },
    async *stream(options) {
      const call = calls.length;
      calls.push(options);
      const script = typeof scripts === "function" ? scripts(call) : (scripts[Math.min(call, scripts.length - 1)] ?? []);
      const signal = options.signal;
      try {
        for (const step of script) {
          if (signal?.aborted === true) throw abortError();
          if ("text" in step) yield { type: "text-delta", text: step.text };
          else if ("part" in step) yield step.part;
          else if ("throw" in step) throw step.throw;
          else if ("respond" in step) options.onResponse?.();
          else if ("delay" in step) await clock.sleep(step.delay, signal).catch(() => Promise.reject(abortError()));
          else
            await new Promise<never>((_, reject) => {
              if (signal?.aborted === true) reject(abortError());
              signal?.addEventListener("abort", () => reject(abortError()), { once: true });
            });
        }
      } finally {
        if (signal?.aborted === true) aborted++;
      }
    },
  };
}

export function httpError(status: number, headers: Record<string, string> = {}): ProviderError {
  return new ProviderError(`upstream answered ${status}`, { provider: "scripted", modelId: "m", status, headers });
}

export function connectionReset(): Error {
  const error = new Error("socket hang up") as Error & { code: string };
  error.code = "ECONNRESET";
  return error;
}

export function answer(text: string, usage = { inputTokens: 10, outputTokens: 5 }): Script {
  return [{ text }, { part: { type: "usage", usage } }, { part: { type: "finish", finishReason: "stop" } }];
}

export function model(name: string, adapter: ModelAdapter, overrides: Partial<RoutableModel> = {}): RoutableModel {
  return {
    name,
    adapter,
    capabilities: { tools: true, vision: false, json: true },
    retries: { max_attempts: 1, initial_backoff_ms: 100, max_backoff_ms: 1000, max_retry_after_ms: 10_000 },
    timeouts: {},
    circuitBreaker: { failure_threshold: 1000, window_ms: 60_000, min_requests: 1000, cooldown_ms: 30_000 },
    ...overrides,
  };
}

/** The same model with `collect`: it reads its own stream whole, reporting output as it comes. */
export function collecting(adapter: ScriptedAdapter): ScriptedAdapter {
  return Object.assign(Object.create(adapter) as ScriptedAdapter, {
    async collect(options: ModelCallOptions): Promise<StreamPart[]> {
      const parts: StreamPart[] = [];
      for await (const part of adapter.stream(options)) {
        if (part.type === "text-delta" || part.type === "tool-call") options.onOutput?.();
        parts.push(part);
      }
      return parts;
    },
  });
}
