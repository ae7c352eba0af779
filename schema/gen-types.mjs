#!/usr/bin/env node
// Generates, from schema/llamafarm.schema.json (the one definition of the project file):
//   schema/llamafarm.ts                         TypeScript types (json-schema-to-typescript)
//   runtime/config/generated/validate-schema.js a precompiled ajv validator (no schema compile at start-up)
// `--check` writes nothing and exits 1 when a checked-in file is stale.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { compile } from "json-schema-to-typescript";
import Ajv from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const schemaPath = join(root, "schema/llamafarm.schema.json");

export function ajvOptions() {
  return { allErrors: true, verbose: true, useDefaults: true, strict: true, allowUnionTypes: true, code: { source: true, esm: true } };
}

export async function generate() {
  const schema = JSON.parse(readFileSync(schemaPath, "utf8"));
  const types = await compile(schema, "LlamaFarmProject", {
    bannerComment:
      "/* Generated from schema/llamafarm.schema.json by `npm run gen:types`. Do not edit by hand. */",
    additionalProperties: false,
    strictIndexSignatures: false,
    style: { singleQuote: false },
  });
  const ajv = new Ajv.default(ajvOptions());
  ajv.addKeyword("tsType");
  const validate = ajv.compile(schema);
  // ajv's ESM output still calls require() for its small runtime helpers; give it one.
  const code = standaloneCode.default(ajv, validate);
  const validator =
    "// Generated from schema/llamafarm.schema.json by `npm run gen:types`. Do not edit by hand.\n" +
    "// @ts-nocheck\n" +
    'import type { ErrorObject } from "ajv";\n' +
    'import { createRequire } from "node:module";\n' +
    "const require = createRequire(import.meta.url);\n" +
    code.replace('"use strict";export const validate = validate10;export default validate10;', "") +
    "\nexport const validate = validate10 as unknown as { (data: unknown): boolean; errors?: ErrorObject[] | null };\n";
  return {
    [join(root, "schema/llamafarm.ts")]: types,
    [join(root, "runtime/config/generated/validate-schema.ts")]: validator,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = await generate();
  const check = process.argv.includes("--check");
  let stale = 0;
  for (const [path, content] of Object.entries(files)) {
    let current = "";
    try {
      current = readFileSync(path, "utf8");
    } catch {}
    if (current === content) continue;
    if (check) {
      console.error(`stale: ${path} (run npm run gen:types)`);
      stale++;
    } else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      console.log(`wrote ${path}`);
    }
  }
  process.exit(stale ? 1 : 0);
}
