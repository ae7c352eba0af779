import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { Pool } from "undici";

/**
 * The floor: the least a Node gateway must do per request (read the body, parse the JSON, forward it
 * over a kept-alive pool, stream the answer back), with nothing else. lf's figures are read against it.
 */
export interface FloorProxy {
  readonly url: string;
  close(): Promise<void>;
}

/** Hop-by-hop headers are the connection's own, never forwarded (RFC 9110, section 7.6.1). */
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection", "host", "content-length"]);

export async function startFloorProxy(upstream: string, port = 0, host = "127.0.0.1"): Promise<FloorProxy> {
  const pool = new Pool(upstream, { keepAliveTimeout: 30_000, pipelining: 1 });
  const server = createServer({ noDelay: true, keepAliveTimeout: 30_000 }, (req, res) => {
    forward(pool, req, res).catch((error: unknown) => fail(res, error));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}`,
    close: () => closeAll(server, pool),
  };
}

async function forward(pool: Pool, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  // A real gateway must look inside the request (model, stream flag) and rewrite it, so the floor pays for both.
  const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown;
  const aborted = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) aborted.abort();
  });
  const upstream = await pool.request({
    path: req.url ?? "/",
    method: (req.method ?? "POST") as "POST",
    headers: outgoing(req.headers),
    body: JSON.stringify(body),
    signal: aborted.signal,
  });
  res.writeHead(upstream.statusCode, incoming(upstream.headers));
  for await (const chunk of upstream.body) if (!res.write(chunk as Buffer)) await once(res, "drain");
  res.end();
}

function outgoing(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = { "content-type": "application/json" };
  if (typeof headers.authorization === "string") out.authorization = headers.authorization;
  if (typeof headers.accept === "string") out.accept = headers.accept;
  return out;
}

function incoming(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  return out;
}

function fail(res: ServerResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = error instanceof SyntaxError ? 400 : 502;
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: { message: String(error), type: "floor_proxy_error" } }));
}

async function closeAll(server: Server, pool: Pool): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await pool.close();
}
