import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseProject } from "../../runtime/index.js";
import { exitCodes } from "../exit-codes.js";
import { envExample } from "../init/env-example.js";
import { TEMPLATE_NAMES, TEMPLATES, type TemplateName } from "../init/templates.js";

const packageRoot = fileURLToPath(new URL("../../../", import.meta.url));
/** What lf writes beside a project and git must not keep: the usage database and sessions, and secrets. */
const IGNORED = [".lf/", ".env"];

/**
 * Writes a starter project from a template, a `.gitignore` entry for what lf writes beside it, and a
 * `.env.example` naming the variables it reads; never overwrites a file.
 */
export async function initCommand(dir: string | undefined, options: { name?: string; template?: string }): Promise<number> {
  const templateName = (options.template ?? "hybrid") as TemplateName;
  const template = TEMPLATES[templateName];
  if (template === undefined) {
    console.error(`error: there is no template "${options.template}"; the templates are ${TEMPLATE_NAMES.join(", ")}`);
    return exitCodes.usage;
  }
  const target = resolve(dir ?? ".");
  const file = join(target, "llamafarm.yaml");
  if (existsSync(file)) {
    console.error(`error: ${file} already exists; lf init never overwrites a project file`);
    return exitCodes.failure;
  }
  const name = (options.name ?? basename(target)).toLowerCase().replace(/[^a-z0-9._-]+/g, "-").replace(/^[^a-z0-9]+/, "") || "my-project";
  const schema = relative(target, join(packageRoot, "schema", "llamafarm.schema.json")).split("\\").join("/");
  const text = readFileSync(template.file, "utf8")
    .replace(/^# yaml-language-server: \$schema=.*$/m, `# yaml-language-server: $schema=${schema}`)
    .replace(/^name: .*$/m, `name: ${name}`);
  mkdirSync(target, { recursive: true });
  writeFileSync(file, text, { flag: "wx" });
  const written = [file];

  for (const [path, content] of Object.entries(template.extras ?? {})) {
    const extra = join(target, path);
    if (existsSync(extra)) continue;
    mkdirSync(dirname(extra), { recursive: true });
    writeFileSync(extra, content);
    written.push(extra);
  }
  const example = join(target, ".env.example");
  if (!existsSync(example)) {
    // Defaults only: what the example names must not depend on this shell's environment.
    writeFileSync(example, envExample(text, parseProject(text, file, { env: {}, dotenv: false }).project));
    written.push(example);
  }
  if (ignore(join(target, ".gitignore"))) written.push(join(target, ".gitignore"));

  const shown = (path: string) => {
    const near = relative(process.cwd(), path);
    return near === "" || near.startsWith("..") ? path : near;
  };
  console.log(`wrote ${written.map(shown).join(", ")}`);
  console.log(`template ${templateName}: ${template.summary}`);
  const steps = [
    ...(target === process.cwd() ? [] : [{ command: `cd ${shown(target)}`, why: "" }]),
    ...(template.needsPackage && !canImport(template.needsPackage) ? [{ command: `npm install ${template.needsPackage}`, why: "an optional package this template's model needs" }] : []),
    ...template.next,
  ];
  const width = Math.max(...steps.map((s) => s.command.length));
  console.log(`next:\n${steps.map((s) => `  ${s.why ? `${s.command.padEnd(width)}   # ${s.why}` : s.command}`).join("\n")}`);
  return exitCodes.ok;
}

/** Adds the entries a `.gitignore` lacks; returns whether it wrote anything. */
function ignore(file: string): boolean {
  const existing = existsSync(file) ? readFileSync(file, "utf8") : "";
  const lines = new Set(existing.split(/\r?\n/).map((l) => l.trim()));
  const missing = IGNORED.filter((entry) => !lines.has(entry) && !lines.has(entry.replace(/\/$/, "")) && !lines.has(`/${entry}`));
  if (missing.length === 0) return false;
  const lead = existing === "" || existing.endsWith("\n") ? "" : "\n";
  appendFileSync(file, `${lead}${existing === "" ? "# written by lf init: the usage database and sessions (.lf/), and secrets (.env)\n" : ""}${missing.join("\n")}\n`);
  return true;
}

function canImport(specifier: string): boolean {
  try {
    import.meta.resolve(specifier);
    return true;
  } catch {
    return false;
  }
}
