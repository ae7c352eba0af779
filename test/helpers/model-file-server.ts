import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** How one path answers. */
export interface ServedFile {
  /** Answer with a redirect here (a path on this server or a full URL) instead of a body. */
  redirectTo?: string;
  body?: Buffer;
  /** Honour `Range` with 206 (default); false answers every request with the whole file and 200. */
  acceptRanges?: boolean;
  /** Drop the connection once the client holds this many bytes of the file, for the next `cuts` responses (default 1). */
  cutAfter?: number;
  cuts?: number;
  /** Send the body in pieces of this size, this far apart (for a progress bar to show). */
  chunkSize?: number;
  chunkDelayMs?: number;
  status?: number;
  headers?: Record<string, string>;
}

export interface ServedRequest {
  path: string;
  range: string | undefined;
  ifRange: string | undefined;
  authorization: string | undefined;
}

/**
 * A file server on 127.0.0.1 that behaves as download hosts do, or misbehave: ranges or none, a
 * transfer cut off mid-way, Hugging Face's redirect that carries the file's size and sha256.
 */
export class ModelFileServer {
  readonly requests: ServedRequest[] = [];
  private readonly files = new Map<string, ServedFile>();
  private readonly server: Server;
  url = "";

  private constructor() {
    this.server = createServer((req, res) => void this.answer(req, res));
  }

  static async start(): Promise<ModelFileServer> {
    const served = new ModelFileServer();
    await new Promise<void>((resolve) => served.server.listen(0, "127.0.0.1", resolve));
    served.url = `http://127.0.0.1:${(served.server.address() as AddressInfo).port}`;
    return served;
  }

  serve(path: string, file: ServedFile): this {
    this.files.set(path, { cuts: 1, ...file });
    return this;
  }

  reset(): void {
    this.files.clear();
    this.requests.length = 0;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    this.requests.push({ path, range: header(req, "range"), ifRange: header(req, "if-range"), authorization: header(req, "authorization") });
    const file = this.files.get(path);
    if (file === undefined) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    if (file.redirectTo !== undefined) {
      res.writeHead(302, { location: file.redirectTo, ...file.headers }).end();
      return;
    }
    const body = file.body ?? Buffer.alloc(0);
    const range = /^bytes=(\d+)-$/.exec(header(req, "range") ?? "");
    const ranged = range !== null && file.acceptRanges !== false;
    const start = ranged ? Number(range[1]) : 0;
    if (ranged && start >= body.length) {
      res.writeHead(416, { "content-range": `bytes */${body.length}` }).end();
      return;
    }
    const slice = body.subarray(start);
    res.writeHead(ranged ? 206 : (file.status ?? 200), {
      "content-type": "application/octet-stream",
      "content-length": String(slice.length),
      ...(file.acceptRanges === false ? {} : { "accept-ranges": "bytes" }),
      ...(ranged ? { "content-range": `bytes ${start}-${body.length - 1}/${body.length}` } : {}),
      ...file.headers,
    });
    const cut = file.cutAfter !== undefined && (file.cuts ?? 0) > 0 ? file.cutAfter : undefined;
    if (cut !== undefined) file.cuts = (file.cuts ?? 1) - 1;
    const sent = cut === undefined ? slice : slice.subarray(0, Math.max(0, cut - start));
    const size = file.chunkSize ?? 16_384;
    for (let at = 0; at < sent.length; at += size) {
      if (!res.write(sent.subarray(at, at + size))) await new Promise((resolve) => res.once("drain", resolve));
      if (file.chunkDelayMs) await new Promise((resolve) => setTimeout(resolve, file.chunkDelayMs));
    }
    if (cut !== undefined) {
      // Let the bytes reach the client before the connection goes, as when a network drops mid-way.
      await new Promise((resolve) => setTimeout(resolve, 50));
      res.socket?.destroy();
      return;
    }
    res.end();
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
