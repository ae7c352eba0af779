/**
 * Runs one request against each GGUF path given, in a process of its own, and prints one JSON line per
 * path. A test can then tell a clean error from a native abort, which would kill this process and not
 * the test runner.
 * Usage: node --import ./test/helpers/register-ts-loader.mjs test/llamacpp/child/stream-once.ts <path>...
 */
import { collectStream } from "../../../runtime/core/collect-stream.js";
import { LfError, ProviderError } from "../../../runtime/core/errors.js";
import { createLlamaCppAdapter, disposeLlamaCppModels } from "../../../runtime/providers/llamacpp/index.js";

async function run(modelPath: string): Promise<Record<string, unknown>> {
  const adapter = createLlamaCppAdapter({ modelPath, modelId: "child", maxContexts: 1, contextSize: 128, threads: 1 });
  let outcome: Record<string, unknown>;
  try {
    const response = await collectStream(
      adapter.stream({ messages: [{ role: "user", content: "hello" }], parameters: { max_tokens: 4, seed: 1, temperature: 0.7 } }),
    );
    outcome = { ok: true, text: response.text, finishReason: response.finishReason };
  } catch (error) {
    outcome = {
      ok: false,
      name: error instanceof Error ? error.name : typeof error,
      code: error instanceof LfError ? error.code : undefined,
      isRetryable: error instanceof ProviderError ? error.isRetryable : undefined,
      message: error instanceof Error ? error.message : String(error),
    };
  }
  const check = await adapter.check();
  await adapter.close();
  return { path: modelPath, ...outcome, check };
}

for (const modelPath of process.argv.slice(2)) {
  process.stdout.write(`${JSON.stringify(await run(modelPath))}\n`);
}
await disposeLlamaCppModels();
