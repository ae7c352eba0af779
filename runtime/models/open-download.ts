import { checkedUrl } from "./model-source.js";
import { ModelPullError } from "./model-pull-error.js";

export interface DownloadRequest {
  url: string;
  /** Bytes already on disk: asked for with `Range: bytes=offset-`. */
  offset: number;
  /** The validator (ETag or Last-Modified) of the response the partial file came from. */
  ifRange?: string | undefined;
  /** Sent to the first host only, never to a redirect target on another host. */
  authorization?: string | undefined;
  /** Hugging Face: a strong ETag of 64 hex digits is the file's sha256 (its LFS object id). */
  etagIsSha256: boolean;
  fetch: typeof fetch;
  signal?: AbortSignal | undefined;
}

export interface OpenedDownload {
  status: number;
  body: ReadableStream<Uint8Array> | null;
  /** Where the body starts: `offset` when the server honoured the range, 0 when it sent the whole file. */
  start: number;
  /** The whole file's size, when the response says it. */
  total: number | undefined;
  /** What the source publishes about the file, from any hop (Hugging Face says it on its redirect). */
  published: { size?: number; sha256?: string };
  /** For `If-Range` on a later resume. */
  validator: string | undefined;
  /** The last hop, without its query (signed CDN URLs carry credentials there). */
  finalUrl: string;
}

const MAX_REDIRECTS = 10;
const SHA256 = /^[0-9a-f]{64}$/;

/**
 * GET of a model file from `offset`, following redirects by hand: the headers that publish a file's
 * size and checksum sit on the redirect, which `fetch` would otherwise swallow. A 416 (the range is
 * past the end) comes back as such, so the caller can tell a finished file from a changed one.
 */
export async function openDownload(request: DownloadRequest): Promise<OpenedDownload> {
  let url = new URL(request.url);
  const firstHost = url.host;
  const published: OpenedDownload["published"] = {};
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const headers: Record<string, string> = { "accept-encoding": "identity" };
    if (request.offset > 0) {
      headers.range = `bytes=${request.offset}-`;
      if (request.ifRange) headers["if-range"] = request.ifRange;
    }
    if (request.authorization && url.host === firstHost) headers.authorization = request.authorization;
    let response: Response;
    try {
      response = await request.fetch(url, { headers, redirect: "manual", ...(request.signal ? { signal: request.signal } : {}) });
    } catch (error) {
      if (request.signal?.aborted) throw error;
      throw new ModelPullError("unreachable", `cannot reach ${shown(url)}: ${reason(error)}`, { cause: error });
    }
    notePublished(response.headers, published, request.etagIsSha256 && hop === 0);
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location !== null) {
      await response.body?.cancel().catch(() => undefined);
      url = checkedUrl(new URL(location, url).href, `the redirect from ${shown(url)}`);
      continue;
    }
    return opened(response, request.offset, published, url);
  }
  throw new ModelPullError("http", `${shown(new URL(request.url))} redirected more than ${MAX_REDIRECTS} times`);
}

function opened(response: Response, offset: number, published: OpenedDownload["published"], url: URL): OpenedDownload {
  const status = response.status;
  const etag = response.headers.get("etag");
  const validator = etag !== null && !etag.startsWith("W/") ? etag : (response.headers.get("last-modified") ?? undefined);
  const base = { status, body: response.body, published, validator, finalUrl: shown(url) };
  if (status === 200) {
    const length = response.headers.get("content-length");
    return { ...base, start: 0, total: length === null ? undefined : Number(length) };
  }
  if (status === 206) {
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers.get("content-range") ?? "");
    if (range === null || Number(range[1]) !== offset) {
      throw new ModelPullError("http", `${shown(url)} answered a range request with an unexpected Content-Range (${response.headers.get("content-range") ?? "none"})`);
    }
    return { ...base, start: offset, total: range[3] === "*" ? undefined : Number(range[3]) };
  }
  if (status === 416) {
    const total = /^bytes \*\/(\d+)$/.exec(response.headers.get("content-range") ?? "");
    void response.body?.cancel().catch(() => undefined);
    return { ...base, body: null, start: offset, total: total === null ? undefined : Number(total[1]) };
  }
  void response.body?.cancel().catch(() => undefined);
  throw new ModelPullError("http", `${shown(url)} answered ${status} ${response.statusText}${advice(status)}`.trimEnd(), { status });
}

function notePublished(headers: Headers, published: OpenedDownload["published"], etagIsSha256: boolean): void {
  const size = headers.get("x-linked-size");
  if (size !== null && /^\d+$/.test(size)) published.size ??= Number(size);
  const linked = unquote(headers.get("x-linked-etag"));
  if (linked !== undefined && SHA256.test(linked)) published.sha256 ??= linked;
  const etag = unquote(headers.get("etag"));
  if (etagIsSha256 && etag !== undefined && SHA256.test(etag)) published.sha256 ??= etag;
}

function unquote(value: string | null): string | undefined {
  if (value === null || value.startsWith("W/")) return undefined;
  return value.replace(/^"|"$/g, "").toLowerCase();
}

function advice(status: number): string {
  if (status === 401 || status === 403) return ": the file may need an account (a gated Hugging Face repository wants HF_TOKEN set)";
  if (status === 404) return ": no such file (check the owner, repository, revision and file name)";
  return "";
}

export function shown(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function reason(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error instanceof Error ? error.message : String(error)}${cause}`;
}
