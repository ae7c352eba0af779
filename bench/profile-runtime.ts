/**
 * A CPU profile of the runtime alone (routing, prompts, limits, breaker, usage) on a model that answers
 * at once: where lf's own time goes, with no network in the way. Writes a .cpuprofile and prints the
 * functions that take the most self time.
 *
 *   npm run build && node --cpu-prof --cpu-prof-dir=PROFILE_DIR dist/bench/profile-runtime.js [requests]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseProject } from "../runtime/config/index.js";
import type { ModelAdapter, StreamPart } from "../runtime/core/index.js";
import { Runtime } from "../runtime/runtime.js";
import { MemoryStateStore } from "../runtime/state/index.js";
import { openProjectUsage } from "../runtime/usage/index.js";
import { BENCH_ENV, BENCH_MODELS, benchProjectYaml } from "./bench-project.js";

const REQUESTS = Number(process.argv[2] ?? 200_000);
const ANSWER: StreamPart[] = [
  { type: "text-delta", text: "Hello from the fake provider." },
  { type: "usage", usage: { inputTokens: 10, outputTokens: 5 } },
  { type: "finish", finishReason: "stop" },
];
const instant = (modelId: string): ModelAdapter => ({
  provider: "openai",
  modelId,
  async *stream() {
    yield* ANSWER;
  },
  collect: async () => ANSWER.slice(),
});

const dir = mkdtempSync(join(tmpdir(), "lf-profile-"));
const yaml = benchProjectYaml({ fake: "http://127.0.0.1:9", stamped: "http://127.0.0.1:9", arrival: "http://127.0.0.1:9", serverPort: 0 });
const project = parseProject(yaml, join(dir, "llamafarm.yaml"), { env: BENCH_ENV }).project!;
const store = new MemoryStateStore();
const usage = await openProjectUsage(project, { store, file: join(dir, "usage.db") });
const runtime = new Runtime(project, { adapterFor: (m) => instant(m.modelId), store, usage });
const messages = [{ role: "user" as const, content: "Say hello in one short sentence." }];
let started = 0;
const before = process.cpuUsage();
await Promise.all(
  Array.from({ length: 16 }, async () => {
    while (started++ < REQUESTS) {
      const run = await runtime.chat({ messages, parameters: { max_tokens: 64 }, model: BENCH_MODELS.load, stream: false, signal: new AbortController().signal });
      await run.collect();
    }
  }),
);
const used = process.cpuUsage(before);
process.stdout.write(`${((used.user + used.system) / REQUESTS).toFixed(1)} µs CPU/request over ${REQUESTS} requests\n`);
usage.close();
rmSync(dir, { recursive: true, force: true });
