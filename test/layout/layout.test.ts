import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/run-cli.js";

/** Every TypeScript file under `dir`, relative to the repository. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(repoRoot, dir))) {
    const path = join(dir, name);
    if (statSync(join(repoRoot, path)).isDirectory()) out.push(...sources(path));
    else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

const code = [...sources("runtime"), ...sources("cli")].filter((file) => !file.includes("/generated/"));
const text = (file: string) => readFileSync(join(repoRoot, file), "utf8");

describe("the code's layout", () => {
  it("reads the project file's own shape only inside runtime/config: the rest reads the resolved project", () => {
    const readers = code.filter((file) => !file.startsWith("runtime/config/") && /\bproject\??\.raw\b|\.raw\??\.(server|state|usage|mcp|budget|runtime)\b/.test(text(file)));
    expect(readers).toEqual([]);
  });

  it("keeps every file under 400 lines", () => {
    const long = code.map((file) => [file, text(file).split("\n").length] as const).filter(([, lines]) => lines > 400);
    expect(long).toEqual([]);
  });

  it("keeps runtime/core free of imports from the rest of lf", () => {
    const leaks = sources("runtime/core").filter((file) => /from "\.\.\//.test(text(file)));
    expect(leaks.map((file) => relative("runtime/core", file))).toEqual([]);
  });
});
