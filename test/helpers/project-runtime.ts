import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseProject, Runtime } from "../../runtime/index.js";
import { EVERYTHING_BIN } from "../tools/support/servers.js";

/** Writes `text` as `dir`/llamafarm.yaml (for the CLI) and opens it as a Runtime; any finding is a failure. */
export function projectRuntime(dir: string, text: string): Runtime {
  const file = join(dir, "llamafarm.yaml");
  writeFileSync(file, text);
  const loaded = parseProject(text, file, { dotenv: false });
  if (loaded.project === undefined || loaded.issues.length > 0) throw new Error(`the test project has findings: ${JSON.stringify(loaded.issues)}`);
  return new Runtime(loaded.project);
}

/** The installed everything MCP server as an `mcp.servers` entry, indented for a project file. */
export function everythingServerYaml(name = "everything"): string {
  return `    - name: ${name}
      transport: stdio
      command: ${JSON.stringify(process.execPath)}
      args: [${JSON.stringify(EVERYTHING_BIN)}, stdio]
`;
}
