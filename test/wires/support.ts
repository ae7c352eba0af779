import { tempDir, writeProject } from "../server/support.js";

/** The upstream model id behind each of the three provider-wire models of `wireModels`. */
export const UPSTREAM = { openai: "gpt-m", ollama: "llama-m", anthropic: "claude-m" } as const;

/** One model on each provider wire of the fake: `openai`, `ollama` and `anthropic`. */
export function wireModels(fakeUrl: string, openaiExtra = ""): string[] {
  return [
    `{ name: openai, provider: openai, model: ${UPSTREAM.openai}, base_url: "${fakeUrl}/v1", api_key: test-key${openaiExtra} }`,
    `{ name: ollama, provider: ollama, model: ${UPSTREAM.ollama}, base_url: "${fakeUrl}" }`,
    `{ name: anthropic, provider: anthropic, model: ${UPSTREAM.anthropic}, base_url: "${fakeUrl}", api_key: test-key }`,
  ];
}

/**
 * A project `tests/{name}` for a client-wire test: one call per model (no retries, no breaker trips, so
 * a scripted fault is seen once), the given models, and the test key required. Returns the file.
 */
export async function writeWireProject(name: string, defaultModel: string, models: readonly string[]): Promise<string> {
  const yaml = `version: v1
name: ${name}
namespace: tests
runtime:
  default_model: ${defaultModel}
  retries: { max_attempts: 1 }
  circuit_breaker: { failure_threshold: 1000, min_requests: 1000 }
  models:
${models.map((model) => `    - ${model.replace(/\n/g, "\n      ")}`).join("\n")}
server:
  api_keys: ["\${env:LF_TEST_KEY}"]
`;
  return writeProject(tempDir(`lf-${name}-`), yaml);
}
