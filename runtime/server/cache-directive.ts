import type { IncomingMessage } from "node:http";

/**
 * What a request asks of the response cache: `cache: false` in the body or `Cache-Control: no-cache`
 * skip the lookup (the fresh answer is kept); `Cache-Control: no-store` keeps nothing either. Read
 * here, for every wire alike, so no decoder needs to know the field.
 */
export function cacheDirective(req: IncomingMessage, body: unknown): "refresh" | "off" | undefined {
  const control = req.headers["cache-control"];
  if (typeof control === "string" && control !== "") {
    const directives = control.toLowerCase().split(",").map((d) => d.trim());
    if (directives.includes("no-store")) return "off";
    if (directives.includes("no-cache")) return "refresh";
  }
  return typeof body === "object" && body !== null && (body as { cache?: unknown }).cache === false ? "refresh" : undefined;
}
