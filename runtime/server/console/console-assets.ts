import { existsSync, readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

/** The page may load its own files and call its own origin; nothing else, and it is never framed. */
const PAGE_HEADERS = {
  "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

interface Asset {
  type: string;
  raw: Buffer;
  gzip: Buffer;
  /** Built file names carry a content hash: kept for a year. The page itself is always asked again. */
  immutable: boolean;
}

/**
 * The console's files, built by `npm run build` into `dist/console`, served from memory (gzipped once,
 * when first asked for). `/` and any `/console/…` path that is not a file get the page, whose script
 * picks the view from the path.
 */
export class ConsoleAssets {
  /** Found files only: a path that names none is looked up again, so made-up paths cannot fill it. */
  private readonly cache = new Map<string, Asset>();

  private readonly root: string | undefined = findRoot();

  /** Whether `url` is the console's: `/`, `/console`, `/console/…`. */
  static owns(url: string): boolean {
    return url === "/" || url.startsWith("/?") || url === "/console" || url.startsWith("/console/") || url.startsWith("/console?");
  }

  serve(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? "/").split("?", 1)[0]!;
    const file = path.startsWith("/console/assets/") ? path.slice("/console/".length) : "index.html";
    const asset = this.read(file);
    if (asset === null) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8", ...PAGE_HEADERS });
      res.end(file === "index.html" ? "The console is not built: run npm run build." : "Not found.");
      return;
    }
    const gzip = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
    const body = gzip ? asset.gzip : asset.raw;
    res.writeHead(200, {
      "content-type": asset.type,
      "content-length": body.length,
      "cache-control": asset.immutable ? "public, max-age=31536000, immutable" : "no-cache",
      vary: "accept-encoding",
      ...(gzip ? { "content-encoding": "gzip" } : {}),
      ...PAGE_HEADERS,
    });
    res.end(req.method === "HEAD" ? undefined : body);
  }

  private read(file: string): Asset | null {
    const cached = this.cache.get(file);
    if (cached !== undefined) return cached;
    let asset: Asset | null = null;
    const root = this.root;
    const full = root === undefined ? undefined : normalize(join(root, file));
    if (root !== undefined && full !== undefined && full.startsWith(root + sep) && existsSync(full)) {
      const raw = readFileSync(full);
      asset = { type: TYPES[extname(full)] ?? "application/octet-stream", raw, gzip: gzipSync(raw, { level: 9 }), immutable: file !== "index.html" };
    }
    if (asset !== null) this.cache.set(file, asset);
    return asset;
  }
}

/** `dist/console`, from the compiled server (dist/runtime/server/console) or from its source (runtime/server/console). */
function findRoot(): string | undefined {
  for (const relative of ["../../../console", "../../../dist/console"]) {
    const dir = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(join(dir, "index.html"))) return normalize(dir);
  }
  return undefined;
}
