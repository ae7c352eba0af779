import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeProvider, type FakeProvider } from "../fake-provider/index.js";
import { SECRET, projectYaml, startTestServer, tempDir, writeProject, type TestServer } from "./support.js";

/** A raw HTTP request, so that Host and Origin are exactly what a browser (or an attacker's page) sends. */
function send(url: string, options: { method?: string; path: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, method: options.method ?? "POST", path: options.path, headers: options.headers ?? {} }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

const CHAT = "/v1/projects/tests/demo/chat/completions";
const BODY = JSON.stringify({ messages: [{ role: "user", content: "hi" }] });
const JSON_TYPE = { "content-type": "application/json" };

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider();
});
afterAll(async () => {
  await fake?.close();
});

for (const keyed of [false, true]) {
  describe(`a server on loopback${keyed ? ", with API keys" : ""}`, () => {
    let server: TestServer;
    const auth: Record<string, string> = keyed ? { authorization: "Bearer team-key-123" } : {};
    beforeAll(async () => {
      const settings = `server:
  allowed_hosts: [proxy.internal]
  cors: { origins: ["https://app.example.com"] }
${keyed ? "  api_keys: [team-key-123]\n" : ""}`;
      server = await startTestServer([await writeProject(tempDir(), projectYaml(fake.url, { server: settings }))]);
    });
    afterAll(async () => {
      await server?.close();
    });

    it("takes a chat body only as application/json: a form or text/plain from a web page gets 415 and spends nothing", async () => {
      const before = fake.requests.length;
      for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
        const answer = await send(server.url, { path: CHAT, headers: { ...auth, "content-type": type }, body: BODY });
        expect(answer.status, type).toBe(415);
        expect(JSON.parse(answer.body).error).toMatchObject({ code: "unsupported_media_type", type: "invalid_request_error" });
      }
      expect((await send(server.url, { path: CHAT, headers: auth, body: BODY })).status).toBe(415);
      expect((await send(server.url, { path: "/v1/chat/completions", headers: { ...auth, "content-type": "text/plain" }, body: BODY })).status).toBe(415);
      expect(fake.requests.length).toBe(before);
      expect((await send(server.url, { path: CHAT, headers: { ...auth, "content-type": "application/json; charset=utf-8" }, body: BODY })).status).toBe(200);
    });

    it("refuses a Host that is not a loopback name or an allowed host (DNS rebinding), on every route", async () => {
      const port = new URL(server.url).port;
      for (const host of ["evil.example.com", `evil.example.com:${port}`, "127.0.0.1.evil.example.com"]) {
        const chat = await send(server.url, { path: CHAT, headers: { ...auth, ...JSON_TYPE, host }, body: BODY });
        expect(chat.status, host).toBe(403);
        expect(JSON.parse(chat.body).error.code).toBe("host_not_allowed");
        expect((await send(server.url, { method: "GET", path: "/v1/projects/tests/demo/models", headers: { ...auth, host } })).status).toBe(403);
      }
      for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, "localhost", "proxy.internal", `proxy.internal:${port}`]) {
        expect((await send(server.url, { path: CHAT, headers: { ...auth, ...JSON_TYPE, host }, body: BODY })).status, host).toBe(200);
      }
    });

    it("answers CORS preflights only for the configured origins, and refuses other origins' requests", async () => {
      const preflight = (origin: string) =>
        send(server.url, { method: "OPTIONS", path: CHAT, headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "content-type, authorization" } });
      const allowed = await preflight("https://app.example.com");
      expect(allowed.status).toBe(204);
      expect(allowed.headers).toMatchObject({ "access-control-allow-origin": "https://app.example.com", "access-control-allow-methods": expect.stringContaining("POST") });
      expect(allowed.headers["access-control-allow-headers"]).toContain("authorization");
      const other = await preflight("https://evil.example.com");
      expect(other.status).toBe(403);
      expect(other.headers["access-control-allow-origin"]).toBeUndefined();

      const fromApp = await send(server.url, { path: CHAT, headers: { ...auth, ...JSON_TYPE, origin: "https://app.example.com" }, body: BODY });
      expect(fromApp.status).toBe(200);
      expect(fromApp.headers["access-control-allow-origin"]).toBe("https://app.example.com");
      expect(fromApp.headers["access-control-expose-headers"]).toContain("x-lf-model");
      const fromEvil = await send(server.url, { path: CHAT, headers: { ...auth, ...JSON_TYPE, origin: "https://evil.example.com" }, body: BODY });
      expect(fromEvil.status).toBe(403);
      expect(JSON.parse(fromEvil.body).error.code).toBe("origin_not_allowed");
    });
  });
}

describe("a server with no CORS origins configured", () => {
  it("answers no preflight at all, and a JSON POST from another origin gets 403", async () => {
    const server = await startTestServer([await writeProject(tempDir(), projectYaml(fake.url))]);
    try {
      const preflight = await send(server.url, { method: "OPTIONS", path: CHAT, headers: { origin: "http://localhost:3000", "access-control-request-method": "POST" } });
      expect(preflight.status).toBe(403);
      expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();
      const post = await send(server.url, { path: CHAT, headers: { ...JSON_TYPE, origin: "http://localhost:3000" }, body: BODY });
      expect(post.status).toBe(403);
      // No secret in any of it.
      expect(server.logText()).not.toContain(SECRET);
    } finally {
      await server.close();
    }
  });
});
