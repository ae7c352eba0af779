import { STATUS_CODES } from "node:http";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import type { Dispatcher, Pool as UndiciPool } from "undici";
import { UpstreamConnectionError, type UpstreamCall, type UpstreamResponse, type UpstreamTransport } from "./upstream-transport.js";

/**
 * Calls over undici: one kept-alive `Pool` per origin, shared by every adapter of the process, the body
 * sent as a string and the answer read as a Node stream. No WHATWG `Request`, `Headers` or web streams.
 * Timeouts are off: the routing layer owns them and aborts through the signal.
 */
export const undiciTransport: UpstreamTransport = {
  async request(call: UpstreamCall): Promise<UpstreamResponse> {
    const { pool, path } = target(call.url, Pool ?? (await loadUndici()));
    let data: Dispatcher.ResponseData;
    try {
      data = await pool.request({ path, method: call.method, headers: call.headers, body: call.body ?? null, signal: call.signal ?? null });
    } catch (error) {
      if (call.signal?.aborted) throw call.signal.reason ?? error;
      throw new UpstreamConnectionError(error);
    }
    return new UndiciResponse(data);
  },
};

interface Target {
  pool: UndiciPool;
  path: string;
}

// undici is imported on the first call, not with this module: a process that never calls an
// OpenAI-compatible server (or calls it once, through an injected fetch, as `lf chat` does) never pays
// the ~100 ms its entry point takes to load.
let Pool: typeof UndiciPool | undefined;
async function loadUndici(): Promise<typeof UndiciPool> {
  Pool ??= (await import("undici")).Pool;
  return Pool;
}

const POOLS = new Map<string, UndiciPool>();
/** Adapters call a handful of fixed URLs; each is split once. */
const TARGETS = new Map<string, Target>();

function target(url: string, PoolClass: typeof UndiciPool): Target {
  let found = TARGETS.get(url);
  if (found === undefined) {
    const parsed = new URL(url);
    let pool = POOLS.get(parsed.origin);
    if (pool === undefined) {
      pool = new PoolClass(parsed.origin, { headersTimeout: 0, bodyTimeout: 0 });
      POOLS.set(parsed.origin, pool);
    }
    found = { pool, path: `${parsed.pathname}${parsed.search}` };
    if (TARGETS.size < 1000) TARGETS.set(url, found);
  }
  return found;
}

class UndiciResponse implements UpstreamResponse {
  readonly status: number;
  readonly body: AsyncIterable<Uint8Array>;
  private readonly raw: Dispatcher.ResponseData["headers"];

  constructor(private readonly data: Dispatcher.ResponseData) {
    this.status = data.statusCode;
    this.raw = data.headers;
    this.body = decoded(data);
  }

  get statusText(): string {
    return STATUS_CODES[this.status] ?? "";
  }

  headers(): Record<string, string | string[] | undefined> {
    return this.raw;
  }

  async text(): Promise<string> {
    if (this.body === this.data.body) return this.data.body.text();
    const chunks: Buffer[] = [];
    for await (const chunk of this.body) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }
}

/** Servers compress only when asked, and lf never asks; a server that does anyway is still read. */
function decoded(data: Dispatcher.ResponseData): AsyncIterable<Uint8Array> {
  const encoding = data.headers["content-encoding"];
  const decoder = encoding === "gzip" || encoding === "x-gzip" ? createGunzip() : encoding === "deflate" ? createInflate() : encoding === "br" ? createBrotliDecompress() : undefined;
  if (decoder === undefined) return data.body;
  data.body.once("error", (error) => decoder.destroy(error));
  return data.body.pipe(decoder);
}
