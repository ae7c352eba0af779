import { createRequire } from "node:module";
import { readCpuMs } from "./process-cpu.js";
import { SampleBuffer, summarize } from "./stats.js";

/** The slice of autocannon's programmatic API the benchmark uses (the package ships no types). */
interface AutocannonOptions {
  url: string;
  method: "POST";
  headers: Record<string, string>;
  body: string;
  connections: number;
  pipelining: number;
  duration: number;
  timeout: number;
}
interface AutocannonResult {
  requests: { total: number };
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}
interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  on(event: "response", listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
  stop(): void;
}
type Autocannon = (options: AutocannonOptions) => AutocannonInstance;

const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

export interface LoadPoint {
  connections: number;
  stream: boolean;
  durationS: number;
  warmupS: number;
}

export interface LoadTarget {
  /** Full URL of the chat route. */
  url: string;
  /** Which client dialect the body is in; default OpenAI chat completions. */
  wire?: "chat" | "messages";
  /** The model name this target knows the upstream model by. */
  model: string;
  headers?: Record<string, string>;
  /** The process answering at this URL (the fake, the floor or lf), whose CPU time per request is read. */
  pid?: number;
}

export interface LoadResult {
  rps: number;
  /** Milliseconds, from our own per-response samples (sub-millisecond; autocannon's histogram is whole ms). */
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
  /** The measured run's span on the monotonic clock (µs), to cut a CPU profile down to it. */
  windowUs: [number, number];
  /** CPU time (user + system) of `target.pid` per answered request, µs. */
  cpuUsPerRequest: number | undefined;
}

export function chatBody(model: string, stream: boolean): string {
  return JSON.stringify({
    model,
    messages: [{ role: "user", content: "Say hello in one short sentence." }],
    max_tokens: 64,
    ...(stream ? { stream: true } : {}),
  });
}

/** The same request as `chatBody`, in Anthropic's Messages shape. */
export function messagesBody(model: string, stream: boolean): string {
  return JSON.stringify({
    model,
    max_tokens: 64,
    messages: [{ role: "user", content: "Say hello in one short sentence." }],
    ...(stream ? { stream: true } : {}),
  });
}

/** One warm-up run whose figures are dropped, then the measured run. */
export async function runLoadPoint(target: LoadTarget, point: LoadPoint): Promise<LoadResult> {
  const base = {
    url: target.url,
    method: "POST" as const,
    headers: { "content-type": "application/json", ...target.headers },
    body: (target.wire === "messages" ? messagesBody : chatBody)(target.model, point.stream),
    connections: point.connections,
    pipelining: 1,
    timeout: 10,
  };
  if (point.warmupS > 0) await autocannon({ ...base, duration: point.warmupS });
  const latencies = new SampleBuffer();
  const cpuBefore = target.pid === undefined ? undefined : readCpuMs(target.pid);
  const from = monotonicUs();
  const run = autocannon({ ...base, duration: point.durationS });
  run.on("response", (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const result = await run;
  const to = monotonicUs();
  const cpuAfter = target.pid === undefined ? undefined : readCpuMs(target.pid);
  const summary = summarize(latencies.values());
  return {
    rps: latencies.length / result.duration,
    p50: summary.p50,
    p99: summary.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    windowUs: [from, to],
    cpuUsPerRequest: cpuBefore !== undefined && cpuAfter !== undefined && latencies.length > 0 ? ((cpuAfter - cpuBefore) * 1000) / latencies.length : undefined,
  };
}

/** V8's profiler stamps samples on this same clock (CLOCK_MONOTONIC, microseconds) on Linux. */
export function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
