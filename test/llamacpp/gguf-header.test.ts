import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GgufFormatError, readGgufSummary } from "../../runtime/providers/llamacpp/gguf-header.js";
import { writeMalformedGguf, writeTinyGguf, type MalformedGgufKind } from "../helpers/tiny-gguf.js";

const dir = mkdtempSync(join(tmpdir(), "lf-gguf-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readGgufSummary", () => {
  it("reads the tiny model's header, metadata and tensor table", async () => {
    const started = performance.now();
    const info = writeTinyGguf(join(dir, "tiny.gguf"), { seed: 3 });
    const writeMs = performance.now() - started;
    expect(info.bytes).toBeGreaterThan(300_000);
    expect(info.bytes).toBeLessThan(700_000);
    expect(writeMs).toBeLessThan(1_000);

    const summary = await readGgufSummary(info.path);
    expect(summary).toMatchObject({ version: 3, tensorCount: 3 + 2 * 9, architecture: "llama", alignment: 32, hasChatTemplate: false, fileSize: info.bytes });
  });

  it("notices a chat template", async () => {
    const path = join(dir, "templated.gguf");
    writeTinyGguf(path, { chatTemplate: "{% for m in messages %}{{ m.content }}{% endfor %}" });
    expect((await readGgufSummary(path)).hasChatTemplate).toBe(true);
  });

  it("is deterministic for a seed", () => {
    const a = writeTinyGguf(join(dir, "a.gguf"), { seed: 9 });
    const b = writeTinyGguf(join(dir, "b.gguf"), { seed: 9 });
    expect(a.bytes).toBe(b.bytes);
  });

  const cases: Array<[MalformedGgufKind, RegExp]> = [
    ["empty", /too small/],
    ["bad-magic", /bad magic/],
    ["bad-version", /unsupported GGUF version 99/],
    ["truncated-header", /too small/],
    ["truncated-metadata", /unexpected end of file|cannot fit|past the end/],
    ["truncated-data", /truncated/],
    ["huge-counts", /tensor count .* cannot fit/],
    ["huge-string", /implausible/],
  ];
  it.each(cases)("refuses a %s file", async (kind, message) => {
    const path = join(dir, `${kind}.gguf`);
    writeMalformedGguf(path, kind);
    const error = await readGgufSummary(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GgufFormatError);
    expect((error as Error).message).toMatch(message);
  });
});
