import { createHash, type Hash } from "node:crypto";
import { closeSync, createReadStream, existsSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { dirname } from "node:path";
import { systemClock, type Clock } from "../core/clock.js";
import { LfError } from "../core/errors.js";
import { acquirePullLock } from "./pull-lock.js";
import { cachePathOf, type ModelSource } from "./model-source.js";
import { ModelPullError } from "./model-pull-error.js";
import { readManifest, writeManifest, type ChecksumOrigin } from "./model-manifest.js";
import { openDownload, type OpenedDownload } from "./open-download.js";
import { fetchSidecarSha256 } from "./sidecar-sha256.js";
import type { Env } from "./models-dir.js";

export interface PullOptions {
  /** The models folder (`modelsDir(env)`). */
  dir: string;
  fetch: typeof fetch;
  clock?: Clock;
  /** `HF_TOKEN` is read from here, for Hugging Face files only. */
  env?: Env;
  /** The sha256 the file must have; else the one the source publishes, if it does. */
  sha256?: string;
  /** Download again even when the file is already here. */
  force?: boolean;
  /** A download that receives nothing for this long is stopped (its part kept). Default 60 s. */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
  onEvent?: (event: PullEvent) => void;
}

export type PullEvent =
  | { type: "start"; url: string; total: number | undefined; resumedFrom: number; restarted?: "range-ignored" | "file-changed" }
  | { type: "progress"; received: number; total: number | undefined }
  | { type: "verify"; checksum: ChecksumOrigin };

export interface PullResult {
  path: string;
  bytes: number;
  sha256: string;
  /** Where the checked sha256 came from; `none` when nothing published one. */
  checksum: ChecksumOrigin;
  /** Bytes that were already on disk from an earlier, interrupted pull. */
  resumedFrom: number;
  alreadyPresent: boolean;
}

interface PartInfo {
  url: string;
  source: string;
  validator?: string;
  sha256?: string;
  size?: number;
}

const GGUF_MAGIC = "GGUF";

/**
 * Downloads a model file into the models folder, resuming a partial download with an HTTP range
 * request. Bytes go to `<file>.part` and become `<file>` only once the size and the sha256 (the
 * given one, else the published one) match and the file starts like a GGUF; a file that fails a
 * check is moved to `<file>.rejected` and never used.
 */
export async function pullModel(source: ModelSource, options: PullOptions): Promise<PullResult> {
  const target = cachePathOf(source, options.dir);
  const expectedGiven = options.sha256?.trim().toLowerCase();
  if (expectedGiven !== undefined && !/^[0-9a-f]{64}$/.test(expectedGiven)) {
    throw new LfError("invalid_request", `--sha256 takes 64 hex digits, not "${options.sha256}"`);
  }
  const present = existsSync(target) ? readManifest(target) : undefined;
  if (present !== undefined && !options.force) {
    if (expectedGiven !== undefined && present.sha256 !== expectedGiven) {
      throw new ModelPullError("checksum", `${target} is already here with sha256 ${present.sha256}, not ${expectedGiven}; pull with --force to download it again`);
    }
    return { path: target, bytes: present.bytes, sha256: present.sha256, checksum: present.checksum, resumedFrom: 0, alreadyPresent: true };
  }
  mkdirSync(dirname(target), { recursive: true });
  const release = acquirePullLock(`${target}.lock`);
  try {
    return await download(source, target, expectedGiven, options);
  } finally {
    release();
  }
}

async function download(source: ModelSource, target: string, expectedGiven: string | undefined, options: PullOptions): Promise<PullResult> {
  const part = `${target}.part`;
  const infoFile = `${target}.part.json`;
  const clock = options.clock ?? systemClock;
  const token = source.kind === "huggingface" ? options.env?.HF_TOKEN?.trim() : undefined;
  let info = readPartInfo(infoFile, source.url);
  let offset = info === undefined ? 0 : sizeOf(part);
  if (offset === 0) rmSync(part, { force: true });
  const sidecar = source.kind === "url" && expectedGiven === undefined ? await fetchSidecarSha256(source.url, options.fetch, options.signal) : undefined;

  const idle = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, idle.signal]) : idle.signal;
  const request = { url: source.url, authorization: token ? `Bearer ${token}` : undefined, etagIsSha256: source.kind === "huggingface", fetch: options.fetch, signal };
  let opened = await openDownload({ ...request, offset, ifRange: info?.validator });
  let restarted: "range-ignored" | "file-changed" | undefined;
  const changed = info?.sha256 !== undefined && opened.published.sha256 !== undefined && info.sha256 !== opened.published.sha256;
  const complete = opened.status === 416 && opened.total === offset;
  if (offset > 0 && (changed || (opened.status === 416 && !complete))) {
    await opened.body?.cancel().catch(() => undefined);
    restarted = "file-changed";
    offset = 0;
    opened = await openDownload({ ...request, offset: 0 });
  } else if (offset > 0 && opened.start === 0) {
    restarted = "range-ignored";
  }
  const resumedFrom = opened.start;
  const total = opened.published.size ?? opened.total;
  info = { url: source.url, source: source.reference, ...(opened.validator ? { validator: opened.validator } : {}), ...(opened.published.sha256 ? { sha256: opened.published.sha256 } : {}), ...(total === undefined ? {} : { size: total }) };
  writeFileSync(infoFile, JSON.stringify(info));

  const hash = createHash("sha256");
  if (resumedFrom > 0) await hashFile(part, hash);
  options.onEvent?.({ type: "start", url: opened.finalUrl, total, resumedFrom, ...(restarted ? { restarted } : {}) });
  const received = opened.body === null ? resumedFrom : await receive(opened, part, hash, total, clock, options.idleTimeoutMs ?? 60_000, idle, options);

  if (total !== undefined && received < total) {
    throw new ModelPullError("interrupted", `the download ended early, after ${received} of ${total} bytes; the part is kept at ${part}: run the same command again to resume`, { keptAt: part });
  }
  const expected = expectedGiven ?? opened.published.sha256 ?? sidecar;
  const checksum: ChecksumOrigin = expectedGiven !== undefined ? "given" : opened.published.sha256 !== undefined ? "published" : sidecar !== undefined ? "sidecar" : "none";
  options.onEvent?.({ type: "verify", checksum });
  const sha256 = hash.digest("hex");
  if (total !== undefined && received > total) refuse(target, infoFile, "size", `the file has ${received} bytes, more than the ${total} its source announced`);
  if (expected !== undefined && sha256 !== expected) {
    refuse(target, infoFile, "checksum", `its sha256 is ${sha256}, not the ${expected} ${checksum === "given" ? "given with --sha256" : "its source publishes"}`);
  }
  if (!startsWithGguf(part)) refuse(target, infoFile, "not-gguf", "it is not a GGUF file (it does not start with the bytes GGUF)");
  renameSync(part, target);
  rmSync(infoFile, { force: true });
  writeManifest(target, { source: source.reference, url: source.url, bytes: received, sha256, checksum, pulledAt: new Date(clock.now()).toISOString() });
  return { path: target, bytes: received, sha256, checksum, resumedFrom, alreadyPresent: false };
}

async function receive(
  opened: OpenedDownload,
  part: string,
  hash: Hash,
  total: number | undefined,
  clock: Clock,
  idleMs: number,
  idle: AbortController,
  options: PullOptions,
): Promise<number> {
  let received = opened.start;
  const file = await open(part, opened.start === 0 ? "w" : "a");
  let cancelTimer = clock.timer(idleMs, () => idle.abort());
  try {
    for await (const chunk of opened.body as unknown as AsyncIterable<Uint8Array>) {
      cancelTimer();
      cancelTimer = clock.timer(idleMs, () => idle.abort());
      await file.write(chunk);
      hash.update(chunk);
      received += chunk.byteLength;
      options.onEvent?.({ type: "progress", received, total });
    }
  } catch (error) {
    const why = idle.signal.aborted ? `nothing arrived for ${Math.round(idleMs / 1000)} s` : options.signal?.aborted ? "it was stopped" : reasonOf(error);
    const of = total === undefined ? "" : ` of ${total}`;
    throw new ModelPullError("interrupted", `the download stopped after ${received}${of} bytes (${why}); the part is kept at ${part}: run the same command again to resume`, {
      keptAt: part,
      cause: error,
    });
  } finally {
    cancelTimer();
    await file.close();
  }
  return received;
}

/** Sets a file that failed a check aside, where it can be looked at and is never taken for the model. */
function refuse(target: string, infoFile: string, failure: "size" | "checksum" | "not-gguf", why: string): never {
  const aside = `${target}.rejected`;
  renameSync(`${target}.part`, aside);
  rmSync(infoFile, { force: true });
  throw new ModelPullError(failure, `refused the download: ${why}. The file is kept aside at ${aside}; nothing was installed`, { keptAt: aside });
}

function readPartInfo(file: string, url: string): PartInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(file, "utf8")) as PartInfo;
    // A partial file from another URL (say, another endpoint) is not this file's start.
    return info.url === url ? info : undefined;
  } catch {
    return undefined;
  }
}

function sizeOf(file: string): number {
  return statSync(file, { throwIfNoEntry: false })?.size ?? 0;
}

async function hashFile(file: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

function startsWithGguf(file: string): boolean {
  const head = Buffer.alloc(GGUF_MAGIC.length);
  const fd = openSync(file, "r");
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return head.toString("latin1") === GGUF_MAGIC;
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${message}${cause}`;
}
