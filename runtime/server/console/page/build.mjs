#!/usr/bin/env node
// Bundles the web console (runtime/server/console/page/src) into dist/console: one script and one stylesheet, minified,
// named by their content hash, and the page that loads them. `lf serve` serves that folder.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, "..", "..", "..", "..", "dist", "console");
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "assets"), { recursive: true });

const result = await build({
  entryPoints: [join(here, "src", "main.js")],
  bundle: true,
  minify: true,
  format: "esm",
  target: "es2020",
  outdir: join(out, "assets"),
  entryNames: "[name]-[hash]",
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
});
const files = Object.keys(result.metafile.outputs).map((f) => basename(f));
const script = files.find((f) => f.endsWith(".js"));
const style = files.find((f) => f.endsWith(".css"));
const page = readFileSync(join(here, "src", "index.html"), "utf8")
  .replace("%SCRIPT%", `/console/assets/${script}`)
  .replace("%STYLE%", style === undefined ? "" : `<link rel="stylesheet" href="/console/assets/${style}">`);
writeFileSync(join(out, "index.html"), page);
