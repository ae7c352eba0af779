import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseProject, type ResolvedProject } from "../../../runtime/config/index.js";
import type { UsageRecord } from "../../../runtime/usage/index.js";

/** Writes `yaml` as llamafarm.yaml in a fresh folder and loads it. */
export function projectIn(yaml: string): { dir: string; file: string; project: ResolvedProject } {
  const dir = mkdtempSync(join(tmpdir(), "lf-usage-"));
  const file = join(dir, "llamafarm.yaml");
  writeFileSync(file, yaml);
  const result = parseProject(yaml, file, { env: {} });
  if (result.project === undefined) throw new Error(`test project is invalid: ${JSON.stringify(result.issues)}`);
  return { dir, file, project: result.project };
}

export const TWO_MODELS = `
version: v1
name: shop
namespace: team
runtime:
  models:
    - name: smart
      provider: openai
      model: gpt-4o
      base_url: http://127.0.0.1:9/v1
      api_key: sk-test
    - name: fast
      provider: ollama
      model: llama3.1:8b
      base_url: http://127.0.0.1:9
`;

export function record(overrides: Partial<UsageRecord>): UsageRecord {
  return {
    at: 1_700_000_000_000,
    project: "team/shop",
    requestedModel: "smart",
    servedModel: "smart",
    provider: "openai",
    inputTokens: 100,
    outputTokens: 50,
    estimated: false,
    costUsd: 0.001,
    latencyMs: 100,
    ttftMs: 20,
    outcome: "ok",
    errorCode: undefined,
    fallbackDepth: 0,
    sessionId: undefined,
    ...overrides,
  };
}
