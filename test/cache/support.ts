import { join } from "node:path";
import { tempDir, writeProject } from "../server/support.js";

export const ALPHA_KEY = "cache-alpha-key-0123456789";
export const BETA_KEY = "cache-beta-key-0123456789";
export const ADMIN_KEY = "cache-admin-key-0123456789";

/** A project whose models sit on the fake at `fakeUrl`, with the response cache on and two scoped keys. */
export function cachedProjectYaml(fakeUrl: string, options: { name: string; state?: string; cache?: string }): string {
  return `version: v1
name: ${options.name}
namespace: tests
${options.state ?? ""}
cache: ${options.cache ?? "{ ttl: 1h, max_entries: 100 }"}
server:
  api_keys:
    - { key: ${ALPHA_KEY}, name: alpha-key, projects: [tests/alpha] }
    - { key: ${BETA_KEY}, name: beta-key, projects: [tests/beta] }
    - { key: ${ADMIN_KEY}, name: admin }
runtime:
  default_model: fast
  retries: { max_attempts: 1 }
  models:
    - name: fast
      provider: openai
      model: gpt-fast
      base_url: ${fakeUrl}/v1
      api_key: \${env:LF_TEST_KEY}
      pricing: { input_per_1k: 1, output_per_1k: 2 }
    - name: claude
      provider: anthropic
      model: claude-fast
      base_url: ${fakeUrl}
      api_key: \${env:LF_TEST_KEY}
      pricing: { input_per_1k: 1, output_per_1k: 2 }
    - name: uncached
      provider: openai
      model: gpt-fast
      base_url: ${fakeUrl}/v1
      api_key: \${env:LF_TEST_KEY}
      cache: { enabled: false }
`;
}

export async function writeCachedProject(fakeUrl: string, options: { name: string; state?: string; cache?: string }): Promise<{ file: string; dir: string }> {
  const dir = tempDir("lf-cache-");
  const file = await writeProject(dir, cachedProjectYaml(fakeUrl, options));
  return { file, dir: join(dir) };
}

/** Upstream calls the fake has had for a model. */
export function callsTo(requests: ReadonlyArray<{ model: string | undefined }>, model: string): number {
  return requests.filter((r) => r.model === model).length;
}
