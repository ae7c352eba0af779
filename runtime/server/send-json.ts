import type { ServerResponse } from "node:http";
import type { RequestContext } from "./request-context.js";

const JSON_TYPE = "application/json; charset=utf-8";

export function sendJson(res: ServerResponse, ctx: RequestContext, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(value);
  res.writeHead(status, { "content-type": JSON_TYPE, "content-length": Buffer.byteLength(payload), "x-request-id": ctx.id, ...headers });
  res.end(payload);
}
