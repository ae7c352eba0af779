import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium, type Browser } from "playwright-core";

/** Debian's chromium, installed by `.ci/run`; never a browser that a package downloads. */
export const CHROMIUM = "/usr/bin/chromium";
export const CONSOLE_DIR = "dist/console";

/** A headless Chromium, or a failure that says how to install it. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`The console's browser tests need Debian's chromium at ${CHROMIUM}: apt-get install -y chromium`);
  if (!existsSync(join(CONSOLE_DIR, "index.html"))) throw new Error("The console is not built: run npm run build (npm test does).");
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
}

/** Bytes of the built page and its assets, each gzipped as the server sends it. */
export function pageWeight(): { files: Array<{ file: string; bytes: number; gzip: number }>; gzip: number } {
  const files = ["index.html", ...readdirSync(join(CONSOLE_DIR, "assets")).map((f) => `assets/${f}`)].map((file) => {
    const raw = readFileSync(join(CONSOLE_DIR, file));
    return { file, bytes: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
  });
  return { files, gzip: files.reduce((sum, f) => sum + f.gzip, 0) };
}

/** A project for the console tests: priced models on the fake provider, a fallback chain and a router. */
export function consoleProject(fakeUrl: string, server = ""): string {
  const model = (name: string, id: string, extra = "") => `    - name: ${name}
      provider: openai
      model: ${id}
      base_url: ${fakeUrl}/v1
      api_key: \${env:LF_TEST_KEY}
      pricing: { input_per_1k: 0.5, output_per_1k: 1.5 }
      limits: { rpm: 600 }${extra}
`;
  return `version: v1
name: shop
namespace: acme
runtime:
  default_model: fast
  retries: { max_attempts: 1 }
  models:
${model("fast", "gpt-fast", "\n      circuit_breaker: { failure_threshold: 2, cooldown: 60s }")}${model("steady", "gpt-steady")}${model("chain", "gpt-chain", "\n      fallbacks: [steady]")}    - name: picker
      description: Shuffles between fast and steady
      router: { strategy: simple-shuffle, models: [fast, steady] }
server:
  console: { record_bodies: true }
${server}`;
}
