import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { exitCodes } from "../exit-codes.js";

const packageRoot = fileURLToPath(new URL("../../../", import.meta.url));

/** Writes the local + cloud starter (the package's own llamafarm.yaml) and never overwrites a file. */
export async function initCommand(dir: string | undefined, options: { name?: string }): Promise<number> {
  const target = resolve(dir ?? ".");
  const file = join(target, "llamafarm.yaml");
  if (existsSync(file)) {
    console.error(`error: ${file} already exists; lf init never overwrites a project file`);
    return exitCodes.failure;
  }
  const name = (options.name ?? basename(target)).toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[^a-z0-9]+/, "") || "my-project";
  const schema = relative(target, join(packageRoot, "schema", "llamafarm.schema.json")).split("\\").join("/");
  const text = readFileSync(join(packageRoot, "llamafarm.yaml"), "utf8")
    .replace(/^# yaml-language-server: \$schema=.*$/m, `# yaml-language-server: $schema=${schema}`)
    .replace(/^name: .*$/m, `name: ${name}`);
  mkdirSync(target, { recursive: true });
  writeFileSync(file, text, { flag: "wx" });
  console.log(`wrote ${file}\nnext: lf validate ${relative(process.cwd(), file) || file}`);
  return exitCodes.ok;
}
