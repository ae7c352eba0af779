import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ModelFileServer } from "../helpers/model-file-server.js";
import { requireScript, Terminal } from "../helpers/pseudo-terminal.js";
import { buildTinyGguf } from "../helpers/tiny-gguf.js";

const gguf = buildTinyGguf({ seed: 3 }).buffer;
let server: ModelFileServer;
let terminal: Terminal | undefined;

beforeAll(async () => {
  requireScript();
  server = await ModelFileServer.start();
});
afterAll(() => server.close());
afterEach(() => terminal?.kill());

describe("lf models pull on a terminal", () => {
  it("draws a progress bar in place: bytes, percentage, rate and time left", async () => {
    // Slow enough that the bar is drawn several times before the end.
    server.serve("/slow/tiny.gguf", { body: gguf, chunkSize: 32_768, chunkDelayMs: 120 });
    const cache = mkdtempSync(join(tmpdir(), "lf-models-tty-"));
    terminal = new Terminal(["models", "pull", `${server.url}/slow/tiny.gguf`], { env: { LF_MODELS_DIR: cache } });
    expect(await terminal.exit(30_000)).toBe(0);
    const output = terminal.output;
    const frames = output.split("\r").filter((frame) => frame.includes("tiny.gguf ["));
    expect(frames.length, output).toBeGreaterThanOrEqual(3);
    expect(frames.some((frame) => /\[#+\.+\]\s+\d+% +[\d.]+ kB \/ [\d.]+ kB {2}[\d.]+ (kB|MB)\/s {2}ETA \d+s/.test(frame)), output).toBe(true);
    expect(frames.at(-1)).toMatch(/\[#{24}\] 100%/);
    expect(output).toContain("\u001b[K");
    expect(readFileSync(join(cache, "url", `127.0.0.1_${new URL(server.url).port}`, "slow", "tiny.gguf")).equals(gguf)).toBe(true);
  });
});
