import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pino from "pino";
import { Gateway, createLogger } from "../../runtime/server/index.js";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { TEST_ENV, tempDir, writeProject } from "./support.js";

let fake: FakeProvider;
const gateways: Gateway[] = [];
const sockets: Socket[] = [];

beforeAll(async () => {
  fake = await startFakeProvider();
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all(gateways.map((g) => g.close(500)));
  await fake?.close();
});

async function serve(server: string, host = "127.0.0.1"): Promise<Gateway> {
  const file = await writeProject(
    tempDir(),
    `version: v1
name: edge
namespace: tests
server:
${server}
runtime:
  models:
    - { name: fast, provider: openai, model: gpt-fast, base_url: "${fake.url}/v1", api_key: test-key }
`,
  );
  const logger = createLogger({ level: "error", destination: { write: () => undefined } as unknown as pino.DestinationStream });
  const gateway = await Gateway.start({ files: [file], logger, env: TEST_ENV, host, port: 0, watch: false });
  gateways.push(gateway);
  return gateway;
}

/** A raw connection that records what the server sent and when it closed. */
function open(url: string, from?: string): Promise<{ socket: Socket; received: () => string; closedAt: Promise<number> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), ...(from ? { localAddress: from } : {}) }, () => {
      let data = "";
      socket.setEncoding("utf8").on("data", (d: string) => (data += d));
      const closedAt = new Promise<number>((done) => socket.once("close", () => done(Date.now())));
      resolve({ socket, received: () => data, closedAt });
    });
    socket.once("error", reject);
    sockets.push(socket);
  });
}

async function chat(url: string): Promise<number> {
  const response = await fetch(`${url}/v1/projects/tests/edge/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ role: "user", content: "hi" }] }),
  });
  await response.text();
  return response.status;
}

describe("slow clients", () => {
  it("are cut at the configured header, request and keep-alive limits with 408, while others are answered", async () => {
    const gateway = await serve("  timeouts: { headers: 1s, request: 2s, keep_alive: 1s }");
    const { port } = new URL(gateway.url);
    const started = Date.now();
    const slowHeaders = await Promise.all(Array.from({ length: 20 }, () => open(gateway.url)));
    for (const c of slowHeaders) c.socket.write(`POST /v1/projects/tests/edge/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
    const slowBodies = await Promise.all(Array.from({ length: 20 }, () => open(gateway.url)));
    const drip = setInterval(() => {
      for (const c of slowBodies) if (!c.socket.destroyed) c.socket.write(" ");
    }, 200);
    for (const c of slowBodies) {
      c.socket.write(`POST /v1/projects/tests/edge/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{`);
    }
    const idle = await open(gateway.url);

    // Ordinary requests are answered meanwhile.
    const statuses = await Promise.all(Array.from({ length: 10 }, () => chat(gateway.url)));
    expect(statuses.every((s) => s === 200)).toBe(true);

    const headerCuts = await Promise.all(slowHeaders.map((c) => c.closedAt));
    const bodyCuts = await Promise.all(slowBodies.map((c) => c.closedAt));
    const idleCut = await idle.closedAt;
    clearInterval(drip);
    for (const c of [...slowHeaders, ...slowBodies]) expect(c.received()).toMatch(/^HTTP\/1\.1 408/);
    // Timeouts are enforced on a 1 s sweep: cut between the limit and the limit plus the sweep.
    for (const at of headerCuts) expect(at - started).toBeLessThan(1_000 + 2_500);
    for (const at of bodyCuts) {
      expect(at - started).toBeGreaterThanOrEqual(1_900);
      expect(at - started).toBeLessThan(2_000 + 2_500);
    }
    expect(idleCut - started).toBeLessThan(1_000 + 2_500);
  }, 20_000);

  it("get 503 beyond max_connections, and beyond max_connections_per_client when bound beyond loopback", async () => {
    const capped = await serve("  max_connections: 5");
    const held = await Promise.all(Array.from({ length: 5 }, () => open(capped.url)));
    const extra = await open(capped.url);
    await extra.closedAt;
    expect(extra.received()).toMatch(/^HTTP\/1\.1 503/);
    expect(extra.received()).toContain("too_many_connections");
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closedAt));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await chat(capped.url)).toBe(200);

    // 127.0.0.2 is on the loopback interface but is not a loopback bind to lf: the per-client cap applies.
    const wide = await serve("  max_connections_per_client: 3\n  api_keys: [edge-key-123]", "127.0.0.2");
    const mine = await Promise.all(Array.from({ length: 3 }, () => open(wide.url, "127.0.0.3")));
    const fourth = await open(wide.url, "127.0.0.3");
    await fourth.closedAt;
    expect(fourth.received()).toMatch(/^HTTP\/1\.1 503/);
    const other = await open(wide.url, "127.0.0.4");
    other.socket.write("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    await other.closedAt;
    expect(other.received()).toMatch(/^HTTP\/1\.1 200/);
    for (const c of mine) c.socket.destroy();
  }, 20_000);
});
