import type { Server } from "node:http";
import type { Socket } from "node:net";

export interface ConnectionLimits {
  maxConnections: number;
  /** Per client address; undefined on loopback, where every client has the same one. */
  maxPerClient: number | undefined;
}

const BUSY_BODY = JSON.stringify({
  error: { message: "This server has too many open connections; try again shortly.", type: "server_error", param: null, code: "too_many_connections" },
});
const BUSY = `HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json; charset=utf-8\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(BUSY_BODY)}\r\n\r\n${BUSY_BODY}`;

/**
 * Caps open connections, in all and per client address, with a 503 for the one too many (Node's own
 * `maxConnections` drops it without a word). Counted once per connection, so requests pay nothing.
 */
export function guardConnections(server: Server, limits: () => ConnectionLimits): void {
  let open = 0;
  const perClient = new Map<string, number>();
  // Before the HTTP server's own listener: a refused connection never gets a parser's attention.
  server.prependListener("connection", (socket: Socket) => {
    const { maxConnections, maxPerClient } = limits();
    const address = socket.remoteAddress ?? "";
    const fromClient = perClient.get(address) ?? 0;
    if (open >= maxConnections || (maxPerClient !== undefined && fromClient >= maxPerClient)) {
      socket.end(BUSY);
      return;
    }
    open++;
    perClient.set(address, fromClient + 1);
    socket.once("close", () => {
      open--;
      const left = (perClient.get(address) ?? 1) - 1;
      if (left === 0) perClient.delete(address);
      else perClient.set(address, left);
    });
  });
}
