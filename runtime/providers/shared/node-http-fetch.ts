import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";

/**
 * A `fetch` for the provider SDKs' JSON and SSE calls over `node:http` with keep-alive agents.
 *
 * Node's global `fetch` builds a WHATWG `Request`, clones and tees bodies and hands the answer over as
 * a web `ReadableStream`: about a millisecond of CPU per call on the gateway's hot path, more than
 * everything else `lf` does. The SDKs only need a small part of `Response`: status, headers, `text()`,
 * `json()` and a body they can iterate (`for await` over a Node stream works). Error answers (rare)
 * and anything unusual (a body that is not a string or bytes, a redirect) are handed to a real
 * `Response` or to the global `fetch`, so behaviour stays fetch's.
 *
 * Failures look like undici's: a connection failure rejects with `TypeError("fetch failed")` whose
 * `cause` carries the system code; an abort rejects with the signal's reason, before and during the body.
 */
export function nodeHttpFetch(fallback: typeof fetch = globalThis.fetch): typeof fetch {
  return (input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : undefined;
    const body = init?.body;
    if (url === undefined || !(body === undefined || body === null || typeof body === "string" || body instanceof Uint8Array)) return fallback(input, init);
    const secure = url.startsWith("https:");
    if (!secure && !url.startsWith("http:")) return fallback(input, init);
    const signal = init?.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(signal.reason);

    const options = { method: init?.method ?? "GET", headers: plainHeaders(init?.headers), agent: secure ? HTTPS_AGENT : HTTP_AGENT };
    return new Promise<Response>((resolve, reject) => {
      const req = (secure ? httpsRequest : httpRequest)(url, options);
      let response: IncomingMessage | undefined;
      const onAbort = () => {
        const reason = signal!.reason;
        if (response === undefined) {
          req.destroy();
          reject(reason);
        } else {
          response.destroy(reason);
        }
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const detach = () => signal?.removeEventListener("abort", onAbort);

      req.once("error", (error) => {
        if (response !== undefined) return;
        detach();
        reject(Object.assign(new TypeError("fetch failed"), { cause: error }));
      });
      req.once("response", (res) => {
        response = res;
        res.once("close", detach);
        const status = res.statusCode ?? 0;
        if (status >= 300 && status < 400 && res.headers.location !== undefined) {
          // fetch follows redirects; so does this, through fetch itself.
          res.resume();
          detach();
          resolve(fallback(input, init));
          return;
        }
        const lean = new NodeResponse(res, url);
        if (lean.ok) resolve(lean as unknown as Response);
        else lean.toResponse().then(resolve, reject);
      });
      req.end(body ?? undefined);
    });
  };
}

const HTTP_AGENT = new HttpAgent({ keepAlive: true });
const HTTPS_AGENT = new HttpsAgent({ keepAlive: true });

function plainHeaders(headers: RequestInit["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined) return out;
  if (Array.isArray(headers)) {
    for (const [name, value] of headers) out[name!.toLowerCase()] = value!;
  } else if (typeof (headers as Headers).forEach === "function") {
    (headers as Headers).forEach((value, name) => {
      out[name] = value;
    });
  } else {
    for (const [name, value] of Object.entries(headers as Record<string, string>)) out[name.toLowerCase()] = value;
  }
  return out;
}

/** The part of `Response` the SDKs use, over a Node response. */
class NodeResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: NodeHeaders;
  readonly redirected = false;
  readonly type = "basic";
  readonly body: AsyncIterable<Uint8Array> & NodeJS.ReadableStream;
  bodyUsed = false;

  constructor(
    res: IncomingMessage,
    readonly url: string,
  ) {
    this.status = res.statusCode ?? 0;
    this.ok = this.status >= 200 && this.status < 300;
    this.statusText = res.statusMessage ?? "";
    this.headers = new NodeHeaders(res.headers);
    this.body = decoded(res);
  }

  async text(): Promise<string> {
    return (await this.bytes()).toString("utf8");
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.bytes();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  /** A real `Response` with the whole body, for error answers that are read and rewritten. */
  async toResponse(): Promise<Response> {
    const bytes = await this.bytes();
    const nullBody = this.status === 204 || this.status === 205 || this.status === 304;
    return new Response(nullBody ? null : bytes, { status: this.status, statusText: this.statusText, headers: [...this.headers] });
  }

  private async bytes(): Promise<Buffer> {
    if (this.bodyUsed) throw new TypeError("Body is unusable: Body has already been read");
    this.bodyUsed = true;
    const chunks: Buffer[] = [];
    for await (const chunk of this.body) chunks.push(chunk as Buffer);
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }
}

function decoded(res: IncomingMessage): IncomingMessage {
  const encoding = res.headers["content-encoding"];
  const decoder = encoding === "gzip" || encoding === "x-gzip" ? createGunzip() : encoding === "deflate" ? createInflate() : encoding === "br" ? createBrotliDecompress() : undefined;
  if (decoder === undefined) return res;
  res.once("error", (error) => decoder.destroy(error));
  return res.pipe(decoder) as unknown as IncomingMessage;
}

/** Read-only `Headers` over Node's parsed header object (names are already lower-case). */
class NodeHeaders {
  constructor(private readonly raw: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }

  getSetCookie(): string[] {
    return this.raw["set-cookie"] ?? [];
  }

  forEach(callback: (value: string, name: string, headers: NodeHeaders) => void): void {
    for (const [name, value] of this.entries()) callback(value, name, this);
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of Object.keys(this.raw).sort()) {
      const value = this.get(name);
      if (value !== null) yield [name, value];
    }
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }
}
