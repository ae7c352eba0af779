import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError } from "../wires/api-error.js";

/** What the served projects allow, merged: `server.cors.origins` and `server.allowed_hosts`. */
export interface EdgeSettings {
  origins: ReadonlySet<string>;
  hosts: ReadonlySet<string>;
}

const LOOPBACK_BINDS = new Set(["127.0.0.1", "::1", "localhost", "[::1]"]);
const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);
const SAFE_METHODS = new Set(["GET", "HEAD"]);
const ALLOWED_HEADERS = "authorization, content-type, x-api-key, x-request-id, x-session-id, x-no-session";
const EXPOSED_HEADERS = "x-request-id, x-lf-model, x-lf-provider, x-lf-attempts, x-lf-overhead-ms, x-lf-tools-missing, retry-after";

/**
 * What a web page must not be able to do to a server on this machine, checked before any route:
 * reach it under a foreign host name (DNS rebinding: the Host header names the attacker's domain),
 * or send it a request from a page of another origin that the project has not allowed. Preflights
 * from allowed origins are answered here; responses to them carry the CORS headers. The rest of the
 * defence is the JSON body reader, which takes nothing but `application/json` (a cross-site form or
 * a `text/plain` fetch sends no preflight). Each check holds whether or not API keys are set.
 */
export class EdgeGuard {
  private readonly loopback: boolean;

  constructor(
    bindHost: string,
    private readonly settings: () => EdgeSettings,
  ) {
    this.loopback = LOOPBACK_BINDS.has(bindHost);
  }

  /** Throws the refusal, answers a preflight (returns false: the response is done), or lets it through. */
  admit(req: IncomingMessage, res: ServerResponse): boolean {
    const host = req.headers.host;
    const settings = this.settings();
    if (this.loopback && !this.knownHost(host, settings)) {
      throw new ApiError(403, `This server answers only to loopback names (Host: ${clip(host)}); add the name to server.allowed_hosts if a proxy forwards it.`, "invalid_request_error", "host_not_allowed");
    }
    const origin = req.headers.origin;
    if (origin === undefined || sameOrigin(origin, host)) return true;
    const allowed = settings.origins.has("*") || settings.origins.has(origin);
    if (req.method === "OPTIONS") {
      if (!allowed) throw new ApiError(403, `Origin ${clip(origin)} may not call this server (server.cors.origins).`, "invalid_request_error", "origin_not_allowed");
      res.writeHead(204, {
        "access-control-allow-origin": origin,
        "access-control-allow-methods": "GET, POST, DELETE, OPTIONS",
        "access-control-allow-headers": ALLOWED_HEADERS,
        "access-control-max-age": "600",
        vary: "Origin",
      });
      res.end();
      return false;
    }
    if (!allowed) {
      if (SAFE_METHODS.has(req.method ?? "")) return true;
      throw new ApiError(403, `Origin ${clip(origin)} may not call this server (server.cors.origins).`, "invalid_request_error", "origin_not_allowed");
    }
    res.setHeader("access-control-allow-origin", origin);
    res.setHeader("access-control-expose-headers", EXPOSED_HEADERS);
    res.setHeader("vary", "Origin");
    return true;
  }

  private knownHost(host: string | undefined, settings: EdgeSettings): boolean {
    if (host === undefined) return false;
    const lower = host.toLowerCase();
    const name = hostName(lower);
    return LOOPBACK_NAMES.has(name) || name.endsWith(".localhost") || settings.hosts.has(lower) || settings.hosts.has(name);
  }
}

/** `example.com:8000` → `example.com`, `[::1]:8000` → `[::1]`. */
function hostName(host: string): string {
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  const colon = host.lastIndexOf(":");
  return colon === -1 ? host : host.slice(0, colon);
}

/** A page of the server's own origin (the console, say) is not a cross-origin caller. */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  const at = origin.indexOf("://");
  return at !== -1 && origin.slice(at + 3).toLowerCase() === host.toLowerCase();
}

/** A header echoed in a message: short, and printable. */
function clip(value: string | undefined): string {
  if (value === undefined) return "(none)";
  const printable = value.replace(/[^\x20-\x7e]/g, "?");
  return printable.length > 100 ? `${printable.slice(0, 100)}…` : printable;
}

/** Merges the served projects' settings. */
export function edgeSettings(servers: ReadonlyArray<{ allowedHosts: readonly string[]; corsOrigins: readonly string[] }>): EdgeSettings {
  const origins = new Set<string>();
  const hosts = new Set<string>();
  for (const server of servers) {
    for (const origin of server.corsOrigins) origins.add(origin);
    for (const host of server.allowedHosts) hosts.add(host.toLowerCase());
  }
  return { origins, hosts };
}
