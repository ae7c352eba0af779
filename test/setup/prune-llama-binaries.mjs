#!/usr/bin/env node
// node-llama-cpp lists every platform's prebuilt llama.cpp as an optional dependency, and several of
// them declare `cpu: [..., "x64"]`, so npm installs CUDA, Vulkan and ARM builds (about 650 MB) on any
// x64 Linux machine. npm cannot exclude single optional packages, so after `npm ci` this removes every
// @node-llama-cpp/* package except the CPU build for this platform, then (with --verify) checks that
// node-llama-cpp still loads that prebuilt binary without building or downloading anything.
//
// Usage: node test/setup/prune-llama-binaries.mjs [--dry-run] [--keep-gpu] [--verify] [--root <dir>]
import { existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const rootIndex = args.indexOf("--root");
const root = rootIndex >= 0 ? resolve(args[rootIndex + 1] ?? ".") : fileURLToPath(new URL("../..", import.meta.url));

const OS = { linux: "linux", darwin: "mac", win32: "win" }[process.platform] ?? process.platform;
const ARCH = { arm: "armv7l" }[process.arch] ?? process.arch;

/** The packages node-llama-cpp loads for a CPU-only `getLlama` here (a Mac on ARM only has Metal builds). */
function keep(name) {
  const platform = `${OS}-${ARCH}`;
  if (name === platform) return true;
  if (OS === "mac" && ARCH === "arm64" && name === "mac-arm64-metal") return true;
  return flag("--keep-gpu") && name.startsWith(`${platform}-`);
}

function sizeOf(path) {
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined) return 0;
  if (!stats.isDirectory()) return stats.size;
  return readdirSync(path).reduce((total, entry) => total + sizeOf(join(path, entry)), 0);
}

const scopes = [join(root, "node_modules", "@node-llama-cpp"), join(root, "node_modules", "node-llama-cpp", "node_modules", "@node-llama-cpp")];
let freed = 0;
const kept = [];
for (const scope of scopes.filter((dir) => existsSync(dir))) {
  for (const name of readdirSync(scope)) {
    const dir = join(scope, name);
    if (keep(name)) {
      kept.push(`@node-llama-cpp/${name}`);
      continue;
    }
    const bytes = sizeOf(dir);
    freed += bytes;
    console.log(`${flag("--dry-run") ? "would remove" : "removing"} @node-llama-cpp/${name} (${(bytes / 1e6).toFixed(0)} MB)`);
    if (!flag("--dry-run")) rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`kept ${kept.join(", ") || "nothing"}; ${flag("--dry-run") ? "would free" : "freed"} ${(freed / 1e6).toFixed(0)} MB`);

if (flag("--verify")) {
  const entry = join(root, "node_modules", "node-llama-cpp", "dist", "index.js");
  if (!existsSync(entry)) {
    console.log("node-llama-cpp is not installed; nothing to verify");
  } else {
    const { getLlama, LlamaLogLevel } = await import(pathToFileURL(entry).href);
    const llama = await getLlama({ build: "never", skipDownload: true, progressLogs: false, gpu: false, logLevel: LlamaLogLevel.error });
    const ok = llama.buildType === "prebuilt";
    console.log(`node-llama-cpp loads its ${llama.buildType} binary (gpu: ${llama.gpu})`);
    await llama.dispose();
    if (!ok) process.exit(1);
  }
}
