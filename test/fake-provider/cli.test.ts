import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readStamps, stripStamps } from "./index.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const tsc = fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url));
let outDir: string;
let child: ChildProcess | undefined;

// Compiled on the spot so the test runs the real entry point without depending on a prior build.
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), "lf-fake-cli-"));
  const sources = (await readdir(here)).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts")).map((f) => join(here, f));
  const flags = ["--outDir", outDir, "--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--types", "node", "--skipLibCheck", "--strict"];
  await promisify(execFile)(process.execPath, [tsc, ...flags, ...sources]);
  await writeFile(join(outDir, "package.json"), '{"type":"module"}');
});

afterAll(async () => {
  if (child?.exitCode === null) child.kill("SIGKILL");
  await rm(outDir, { recursive: true, force: true });
});

function start(args: string[]): Promise<string> {
  child = spawn(process.execPath, [join(outDir, "cli.js"), ...args], { stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child!.stdout!.on("data", (bytes: Buffer) => {
      out += bytes.toString();
      const match = /^listening (\S+)\n/.exec(out);
      if (match) resolve(match[1]!);
    });
    child!.once("exit", (code) => reject(new Error(`fake provider exited with ${code}`)));
  });
}

describe("standalone fake provider", () => {
  it("serves N stamped chunks at the given pace and stops on SIGTERM", async () => {
    const url = await start(["--port", "0", "--text", "abcdefgh", "--chunks", "4", "--chunk-delay-ms", "5", "--stamp", "epoch"]);
    const response = await fetch(`${url}/v1/chat/completions`, { method: "POST", body: JSON.stringify({ model: "bench", messages: [], stream: true }) });
    const events = (await response.text()).split("\n\n").filter((e) => e.startsWith("data: {"));
    const texts = events.map((e) => (JSON.parse(e.slice(6)) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? "").filter((t) => t !== "");
    expect(texts.map(stripStamps)).toEqual(["ab", "cd", "ef", "gh"]);
    const sent = texts.map((t) => readStamps(t)[0]!);
    expect(sent.every((s) => s.clock === "epoch" && Math.abs(s.ms - Date.now()) < 10_000)).toBe(true);

    const exited = new Promise<number | null>((resolve) => child!.once("exit", resolve));
    child!.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
