import { createHash } from "node:crypto";
import { join } from "node:path";
import { LfError } from "../core/errors.js";
import type { Env } from "./models-dir.js";

/** A model file that `lf models pull` can fetch, and where in the models folder it is kept. */
export type ModelSource =
  | {
      kind: "huggingface";
      /** The canonical reference, as `lf models list` shows it: `hf:owner/repo[@revision]/file.gguf`. */
      reference: string;
      owner: string;
      repo: string;
      revision: string;
      /** The file's path inside the repository. */
      file: string;
      url: string;
    }
  | { kind: "url"; reference: string; url: string };

export const HF_DEFAULT_ENDPOINT = "https://huggingface.co";
const HF_PREFIX = "hf:";
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const REVISION = /^[A-Za-z0-9._%-]+$/;

/** Whether `text` is meant as a pull source rather than a file path (for a llamacpp model's `model`). */
export function looksLikeModelSource(text: string): boolean {
  return text.startsWith(HF_PREFIX) || /^https?:\/\//i.test(text);
}

/**
 * `hf:owner/repo/path/file.gguf` (optionally `hf:owner/repo@revision/...`), resolved against the
 * Hugging Face endpoint (`LF_HF_ENDPOINT`, else `HF_ENDPOINT`, else huggingface.co), or an https URL.
 * Plain http is accepted only for this machine (a local mirror or a test server): anything else
 * could be altered on the way, and most files publish no checksum to catch it.
 */
export function parseModelSource(text: string, env: Env = {}): ModelSource {
  const input = text.trim();
  if (input.startsWith(HF_PREFIX)) return parseHuggingFace(input.slice(HF_PREFIX.length), env);
  if (/^https?:\/\//i.test(input)) {
    const url = checkedUrl(input, `"${input}"`);
    return { kind: "url", reference: url.href, url: url.href };
  }
  throw new LfError(
    "invalid_request",
    `"${input}" is not a model source: write hf:owner/repo/file.gguf (a Hugging Face repository's file) or an https:// URL of a .gguf file`,
  );
}

function parseHuggingFace(rest: string, env: Env): ModelSource {
  const example = "hf:owner/repo/file.gguf, or hf:owner/repo@revision/file.gguf";
  const parts = rest.split("/");
  if (parts.length < 3 || parts.some((p) => p === "")) {
    throw new LfError("invalid_request", `"hf:${rest}" must name an owner, a repository and a file: ${example}`);
  }
  const [owner, repoAndRevision, ...fileParts] = parts as [string, string, ...string[]];
  const at = repoAndRevision.indexOf("@");
  const repo = at < 0 ? repoAndRevision : repoAndRevision.slice(0, at);
  const revision = at < 0 ? "main" : repoAndRevision.slice(at + 1);
  if (!NAME.test(owner)) throw new LfError("invalid_request", `"hf:${rest}": "${owner}" is not a Hugging Face owner name (${example})`);
  if (!NAME.test(repo)) throw new LfError("invalid_request", `"hf:${rest}": "${repo}" is not a Hugging Face repository name (${example})`);
  if (!REVISION.test(revision)) {
    throw new LfError("invalid_request", `"hf:${rest}": "${revision}" is not a revision (a branch, tag or commit; write refs/pr/1 as refs%2Fpr%2F1)`);
  }
  if (fileParts.some((p) => p === "." || p === "..")) throw new LfError("invalid_request", `"hf:${rest}": the file's path may not contain . or ..`);
  const file = fileParts.join("/");
  if (!file.toLowerCase().endsWith(".gguf")) throw new LfError("invalid_request", `"hf:${rest}": ${file} is not a .gguf file (${example})`);
  const endpointText = (env.LF_HF_ENDPOINT?.trim() || env.HF_ENDPOINT?.trim() || HF_DEFAULT_ENDPOINT).replace(/\/+$/, "");
  const endpoint = checkedUrl(endpointText, `the Hugging Face endpoint ${endpointText} (LF_HF_ENDPOINT)`);
  const path = [owner, repo, "resolve", encodeURIComponent(decoded(revision)), ...fileParts.map(encodeURIComponent)].join("/");
  const url = new URL(`${endpoint.href.replace(/\/+$/, "")}/${path}`).href;
  const reference = `hf:${owner}/${repo}${revision === "main" ? "" : `@${revision}`}/${file}`;
  return { kind: "huggingface", reference, owner, repo, revision, file, url };
}

/** An https URL, or http on a loopback address; anything else is refused, naming `what`. */
export function checkedUrl(text: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new LfError("invalid_request", `${what} is not a URL`);
  }
  if (url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url.hostname))) return url;
  if (url.protocol === "http:") throw new LfError("invalid_request", `${what}: plain http is accepted only for this machine (127.0.0.1, localhost); use https`);
  throw new LfError("invalid_request", `${what}: only https URLs can be pulled`);
}

export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The file's place in the models folder. Hugging Face files are kept by repository and revision, so
 * two revisions never overwrite each other; a URL's file by host and path.
 */
export function cachePathOf(source: ModelSource, dir: string): string {
  if (source.kind === "huggingface") {
    return join(dir, "huggingface", source.owner, source.repo, safeSegment(decoded(source.revision)), ...source.file.split("/").map(safeSegment));
  }
  const url = new URL(source.url);
  const segments = url.pathname.split("/").filter((s) => s !== "").map((s) => safeSegment(decoded(s)));
  let name = segments.pop() ?? "model";
  if (!name.toLowerCase().endsWith(".gguf")) name += ".gguf";
  // Two URLs that differ only in their query are two files.
  const query = url.search === "" ? [] : [`q-${createHash("sha256").update(url.search).digest("hex").slice(0, 12)}`];
  return join(dir, "url", safeSegment(url.host), ...segments, ...query, name);
}

function safeSegment(segment: string): string {
  const clean = segment.replace(/[^A-Za-z0-9._-]/g, "_");
  return clean === "." || clean === ".." || clean === "" ? "_" : clean;
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
