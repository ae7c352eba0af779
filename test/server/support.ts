import { mkdtempSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import pino from "pino";
import { Gateway, createLogger } from "../../runtime/server/index.js";

/** The key every test project reads from the environment; it must never show in a response or a log. */
export const SECRET = "sk-lf-test-0123456789abcdef";
export const TEST_ENV = { ...process.env, LF_TEST_KEY: SECRET };

export interface TestServer {
  gateway: Gateway;
  url: string;
  /** Every log line, parsed. */
  logs: Array<Record<string, unknown>>;
  /** The raw log text, for "never appears" checks. */
  logText(): string;
  /** An OpenAI client on a project's routes (or on `/v1` without one). */
  client(project?: string, options?: { apiKey?: string; headers?: Record<string, string> }): OpenAI;
  close(): Promise<void>;
}

export async function startTestServer(files: string[], options: { debounceMs?: number; level?: string; watch?: boolean } = {}): Promise<TestServer> {
  const lines: string[] = [];
  const logger = createLogger({ level: options.level ?? "debug", destination: { write: (line: string) => void lines.push(line) } as pino.DestinationStream });
  const gateway = await Gateway.start({
    files,
    logger,
    env: TEST_ENV,
    host: "127.0.0.1",
    port: 0,
    debounceMs: options.debounceMs ?? 40,
    ...(options.watch === undefined ? {} : { watch: options.watch }),
  });
  return {
    gateway,
    url: gateway.url,
    get logs() {
      return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    logText: () => lines.join(""),
    client: (project, clientOptions = {}) =>
      new OpenAI({
        baseURL: project === undefined ? `${gateway.url}/v1` : `${gateway.url}/v1/projects/${project}`,
        apiKey: clientOptions.apiKey ?? "unused",
        maxRetries: 0,
        timeout: 10_000,
        defaultHeaders: clientOptions.headers ?? {},
      }),
    close: () => gateway.close(1_000),
  };
}

export function tempDir(prefix = "lf-serve-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A project whose models all sit on the fake provider at `fakeUrl`. */
export function projectYaml(fakeUrl: string, options: { name?: string; namespace?: string; defaultModel?: string; server?: string; fastUrl?: string } = {}): string {
  return `version: v1
name: ${options.name ?? "demo"}
namespace: ${options.namespace ?? "tests"}
prompts:
  - name: base
    messages:
      - role: system
        content: Answer {{style | briefly}}.
runtime:
  default_model: ${options.defaultModel ?? "fast"}
  retries: { max_attempts: 1 }
  models:
    - name: fast
      description: The quick one
      provider: openai
      model: gpt-fast
      base_url: ${options.fastUrl ?? fakeUrl}/v1
      api_key: \${env:LF_TEST_KEY}
      prompt: base
      capabilities: { vision: true }
    - name: steady
      provider: openai
      model: gpt-steady
      base_url: ${fakeUrl}/v1
      api_key: \${env:LF_TEST_KEY}
    - name: chain
      provider: openai
      model: gpt-chain
      base_url: ${fakeUrl}/v1
      api_key: \${env:LF_TEST_KEY}
      fallbacks: [steady]
    - name: local
      provider: ollama
      model: llama-local
      base_url: ${fakeUrl}
    - name: picker
      description: Shuffles between fast and steady
      router: { strategy: simple-shuffle, models: [fast, steady] }
${options.server ?? ""}`;
}

export async function writeProject(dir: string, yaml: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, "llamafarm.yaml");
  writeFileSync(file, yaml);
  return file;
}

/** Polls until `check` passes or the time is up. */
export async function eventually(check: () => Promise<void> | void, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** A GET and its JSON body, loosely typed for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { headers });
  return { status: response.status, body: await response.json() };
}
