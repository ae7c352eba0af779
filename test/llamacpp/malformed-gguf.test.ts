import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";
import { writeMalformedGguf, writeTinyGguf, type MalformedGgufKind } from "../helpers/tiny-gguf.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "lf-malformed-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const kinds: MalformedGgufKind[] = ["empty", "bad-magic", "bad-version", "truncated-header", "truncated-metadata", "truncated-data", "huge-counts", "huge-string"];

// In a child process: if a file ever got past the checks and llama.cpp aborted, only the child would die.
it("refuses malformed GGUF files with a clear error, and the process lives on", async () => {
  const paths = kinds.map((kind) => {
    const path = join(dir, `${kind}.gguf`);
    writeMalformedGguf(path, kind);
    return path;
  });
  const valid = join(dir, "valid.gguf");
  writeTinyGguf(valid);

  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--import", "./test/helpers/register-ts-loader.mjs", "test/llamacpp/child/stream-once.ts", ...paths, valid],
    { cwd: root, timeout: 60_000 },
  );
  const outcomes = stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
  expect(outcomes).toHaveLength(kinds.length + 1);
  for (const [i, path] of paths.entries()) {
    expect(outcomes[i]).toMatchObject({ path, ok: false, name: "ProviderError", code: "provider_error", isRetryable: false });
    expect(outcomes[i]!.message).toContain(`malformed GGUF file ${path}`);
    expect(outcomes[i]!.check).toMatchObject({ ok: false });
  }
  // The same process still runs a good model afterwards.
  expect(outcomes.at(-1)).toMatchObject({ path: valid, ok: true, finishReason: "length", check: { ok: true } });
});
