import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ModelFileServer } from "../helpers/model-file-server.js";
import { runCli } from "../helpers/run-cli.js";
import { buildTinyGguf } from "../helpers/tiny-gguf.js";

const gguf = buildTinyGguf({ seed: 7 }).buffer;
const sha256 = createHash("sha256").update(gguf).digest("hex");
const REPO = "/tiny-org/tiny-llama-GGUF";
const FILE = "tiny-llama-q8_0.gguf";
const HF_REF = `hf:tiny-org/tiny-llama-GGUF/${FILE}`;

let hub: ModelFileServer;
let cdn: ModelFileServer;
let cache: string;

beforeAll(async () => {
  hub = await ModelFileServer.start();
  cdn = await ModelFileServer.start();
});
afterAll(async () => {
  await hub.close();
  await cdn.close();
});
beforeEach(() => {
  hub.reset();
  cdn.reset();
  cache = mkdtempSync(join(tmpdir(), "lf-models-"));
});

function lf(args: string[], env: Record<string, string> = {}) {
  return runCli(["models", ...args], { env: { LF_MODELS_DIR: cache, LF_HF_ENDPOINT: hub.url, HF_TOKEN: "", ...env } });
}

/** As Hugging Face does for an LFS file: a redirect to a CDN that names the file's size and sha256. */
function publishOnHub(options: { sha?: string; acceptRanges?: boolean; cutAfter?: number; cuts?: number } = {}) {
  const sha = options.sha ?? sha256;
  hub.serve(`${REPO}/resolve/main/${FILE}`, {
    redirectTo: `${cdn.url}/xet/${sha}?X-Amz-Signature=secret`,
    headers: { "x-linked-size": String(gguf.length), "x-linked-etag": `"${sha}"`, etag: `"${sha}"`, "x-repo-commit": "0123abcd" },
  });
  cdn.serve(`/xet/${sha}`, { body: gguf, ...options, headers: { etag: `"cdn-${sha.slice(0, 8)}"` } });
}

const target = () => join(cache, "huggingface", "tiny-org", "tiny-llama-GGUF", "main", FILE);

describe("lf models pull", () => {
  it("pulls a Hugging Face file through its redirect, checks the published size and sha256, and lists it", async () => {
    publishOnHub();
    const pulled = await lf(["pull", HF_REF], { HF_TOKEN: "hf_test_token_123" });
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toContain(`pulled ${HF_REF}`);
    expect(pulled.stdout).toContain(`sha256 ${sha256} matches the one its source publishes`);
    expect(readFileSync(target()).equals(gguf)).toBe(true);
    // Piped: plain lines, no bar redrawn in place, and the signed CDN query never shown.
    expect(pulled.stderr).not.toContain("\r");
    expect(pulled.stderr).toMatch(/100%/);
    expect(pulled.stderr).not.toContain("secret");
    // The token goes to the hub only, never to the CDN it redirects to.
    expect(hub.requests[0]!.authorization).toBe("Bearer hf_test_token_123");
    expect(cdn.requests.every((r) => r.authorization === undefined)).toBe(true);

    const list = await lf(["list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(`kB  ${HF_REF}`);
    expect(list.stdout).toContain(target());
    const json = JSON.parse((await lf(["list", "--json"])).stdout) as { dir: string; models: Array<Record<string, unknown>> };
    expect(json.dir).toBe(cache);
    expect(json.models).toEqual([expect.objectContaining({ state: "ready", bytes: gguf.length, source: HF_REF, sha256 })]);
    expect((await lf(["path"])).stdout.trim()).toBe(cache);
    expect((await lf(["path", HF_REF])).stdout.trim()).toBe(target());

    const again = await lf(["pull", HF_REF]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`already here: ${target()}`);
    expect(cdn.requests).toHaveLength(1);
  });

  it("resumes a transfer cut off mid-way with a range request", async () => {
    const cutAt = Math.floor(gguf.length * 0.4);
    publishOnHub({ cutAfter: cutAt });
    const first = await lf(["pull", HF_REF]);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain(`the part is kept at ${target()}.part: run the same command again to resume`);
    expect(statSync(`${target()}.part`).size).toBe(cutAt);
    expect(existsSync(target())).toBe(false);
    const listed = await lf(["list"]);
    expect(listed.stdout).toMatch(/\(partial 39% of [\d.]+ kB: lf models pull resumes it\) hf:tiny-org/);

    const second = await lf(["pull", HF_REF]);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`resumed at`);
    expect(cdn.requests.at(-1)!.range).toBe(`bytes=${cutAt}-`);
    expect(readFileSync(target()).equals(gguf)).toBe(true);
    expect(existsSync(`${target()}.part`)).toBe(false);
  });

  it("starts over, correctly, when the server ignores the range and sends the whole file with 200", async () => {
    publishOnHub({ acceptRanges: false, cutAfter: Math.floor(gguf.length / 3) });
    expect((await lf(["pull", HF_REF])).code).toBe(1);
    const second = await lf(["pull", HF_REF]);
    expect(second.code, second.stderr).toBe(0);
    expect(cdn.requests.at(-1)!.range).toMatch(/^bytes=\d+-$/);
    expect(second.stderr).toContain("the server does not resume downloads (it sent the whole file again): starting over");
    expect(readFileSync(target()).equals(gguf)).toBe(true);
  });

  it("refuses a file whose sha256 is not the published one, and keeps it aside", async () => {
    const wrong = "0".repeat(64);
    publishOnHub({ sha: wrong });
    const pulled = await lf(["pull", HF_REF]);
    expect(pulled.code).toBe(1);
    expect(pulled.stderr).toContain(`refused the download: its sha256 is ${sha256}, not the ${wrong} its source publishes`);
    expect(pulled.stderr).toContain(`kept aside at ${target()}.rejected; nothing was installed`);
    expect(readFileSync(`${target()}.rejected`).equals(gguf)).toBe(true);
    expect(existsSync(target())).toBe(false);
    expect((await lf(["list"])).stdout).toContain("(rejected: failed its check; safe to delete)");
  });

  it("pulls a plain URL, checking the .sha256 file beside it, or --sha256", async () => {
    cdn.serve("/files/model.gguf", { body: gguf }).serve("/files/model.gguf.sha256", { body: Buffer.from(`${sha256}  model.gguf\n`) });
    const url = `${cdn.url}/files/model.gguf`;
    const pulled = await lf(["pull", url]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toContain("matches the .sha256 file beside it");
    const path = (await lf(["path", url])).stdout.trim();
    expect(path).toBe(join(cache, "url", `127.0.0.1_${new URL(cdn.url).port}`, "files", "model.gguf"));
    expect(readFileSync(path).equals(gguf)).toBe(true);

    cdn.serve("/other/model.gguf", { body: gguf });
    const wrong = await lf(["pull", `${cdn.url}/other/model.gguf`, "--sha256", "f".repeat(64)]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`not the ${"f".repeat(64)} given with --sha256`);

    const malformed = await lf(["pull", `${cdn.url}/other/model.gguf`, "--sha256", "abc"]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('--sha256 takes 64 hex digits, not "abc"');

    const unchecked = await lf(["pull", `${cdn.url}/other/model.gguf`]);
    expect(unchecked.code, unchecked.stderr).toBe(0);
    expect(unchecked.stdout).toContain("not checked: the source publishes none (pass --sha256 to check one)");
  });

  it("refuses what is not a GGUF file, and says what a missing file or a bad source is", async () => {
    cdn.serve("/page.gguf", { body: Buffer.from("<!DOCTYPE html><p>sign in</p>") });
    const html = await lf(["pull", `${cdn.url}/page.gguf`]);
    expect(html.code).toBe(1);
    expect(html.stderr).toContain("it is not a GGUF file (it does not start with the bytes GGUF)");

    const missing = await lf(["pull", "hf:tiny-org/tiny-llama-GGUF@v2/absent.gguf"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`${hub.url}/tiny-org/tiny-llama-GGUF/resolve/v2/absent.gguf answered 404 Not Found: no such file`);

    const plain = await lf(["pull", "http://models.example.com/a.gguf"]);
    expect(plain.code).toBe(2);
    expect(plain.stderr).toContain("plain http is accepted only for this machine");
    const bare = await lf(["pull", "tiny-org/tiny-llama-GGUF"]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("write hf:owner/repo/file.gguf");
    const unreachable = await lf(["pull", "hf:a/b/c.gguf"], { LF_HF_ENDPOINT: "http://127.0.0.1:9" });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain("cannot reach http://127.0.0.1:9/a/b/resolve/main/c.gguf");
  });

  it("discards a partial file left from another URL instead of appending to it", async () => {
    publishOnHub();
    mkdirSync(join(cache, "huggingface", "tiny-org", "tiny-llama-GGUF", "main"), { recursive: true });
    writeFileSync(`${target()}.part`, "garbage from elsewhere");
    writeFileSync(`${target()}.part.json`, JSON.stringify({ url: "https://elsewhere.example/x.gguf", source: "x" }));
    const pulled = await lf(["pull", HF_REF]);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(cdn.requests[0]!.range).toBeUndefined();
    expect(readFileSync(target()).equals(gguf)).toBe(true);
  });
});
