import { Command, Option } from "commander";
import { readFileSync } from "node:fs";
import { exitCodes } from "./exit-codes.js";

// Output piped into a reader that stops early (`lf route … | head`) ends the command quietly, as Unix
// tools do, instead of crashing on the closed pipe.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    process.exit(process.exitCode ?? 0);
  });
}

// Each command's module is imported only when that command runs, so `lf validate` never pays for the
// HTTP server, the provider SDKs or MCP.
const program = new Command()
  .name("lf")
  .description("Run the models of a llamafarm.yaml project: chat, serve, validate, route.")
  .version(packageVersion(), "-V, --version")
  .showSuggestionAfterError(true)
  .enablePositionalOptions()
  .configureOutput({ outputError: (text, write) => write(text) })
  .exitOverride((error) => {
    process.exit(error.exitCode === 0 ? 0 : exitCodes.usage);
  });

program
  .command("validate")
  .description("Check a project file: schema, references, cycles, environment variables.")
  .argument("[file]", "the project file (default: ./llamafarm.yaml or the nearest one above)")
  .option("--json", "print the findings as JSON")
  .action(async (file: string | undefined, options: { json?: boolean }) => {
    const { validateCommand } = await import("./commands/validate.js");
    process.exitCode = await validateCommand(file, options);
  });

program
  .command("init")
  .description("Write a starter project into a folder: llamafarm.yaml, .env.example, and .gitignore entries for .lf/ and .env.")
  .argument("[dir]", "the folder (default: the current one)")
  .option("--name <name>", "the project name (default: the folder's name)")
  .option("-t, --template <name>", "local (in-process llama.cpp, no server or key), hybrid (Ollama + OpenAI), cloud (OpenAI + Anthropic) or mcp (a model with tools)", "hybrid")
  .action(async (dir: string | undefined, options: { name?: string; template?: string }) => {
    const { initCommand } = await import("./commands/init.js");
    process.exitCode = await initCommand(dir, options);
  });

program
  .command("chat")
  .description("Send a message to a model and stream the answer.")
  .argument("[message...]", "the message (default: stdin when piped, else an interactive session)")
  .option("-p, --project <path>", "the project file or its folder")
  .option("-m, --model <name>", "the model (default: the project's default model)")
  .option("--json", "print the final OpenAI-shaped response as JSON")
  .option("-v, --verbose", "report model, provider, attempts, tokens and timings on stderr")
  .option("--dry-run", "print the request that would be sent, secrets masked, and send nothing")
  .option("--server <url>", "send the request to a running `lf serve` instead of running the models here")
  .option("--session <id>", "with --server: keep the conversation under this session id")
  .addOption(new Option("--var <key=value>", "fill {{key}} in the model's prompts (repeatable)").argParser(collect).default([]))
  .action(async (message: string[], options) => {
    const { chatCommand } = await import("./commands/chat.js");
    process.exitCode = await chatCommand(message.join(" "), options);
  });

program
  .command("route")
  .description("Show how a request would be routed: every candidate, its score and why; no model is called.")
  .argument("[message...]", "the request's message")
  .option("-p, --project <path>", "the project file or its folder")
  .option("-m, --model <name>", "the model or router (default: the model the conversation names, else the project's default)")
  .option("--messages <file>", "route a whole conversation: a chat request JSON (messages, tools, model) or an array of messages; - reads stdin")
  .option("--max-cost <dollars>", "a per-request cost limit")
  .option("--max-latency <ms>", "a per-request latency limit")
  .option("--json", "print the explanation as JSON")
  .action(async (message: string[], options) => {
    const { routeCommand } = await import("./commands/route.js");
    process.exitCode = await routeCommand(message.join(" "), options);
  });

program
  .command("serve")
  .description("Serve projects over an OpenAI-compatible HTTP API, reloading them when their files change.")
  .option("-p, --project <path>", "serve this project file or folder (default: ./llamafarm.yaml or the nearest one above)")
  .option("--projects <dir>", "serve every llamafarm.yaml under this folder, as namespace/name")
  .option("--host <host>", "the address to listen on (default: server.host, else 127.0.0.1)")
  .option("--port <port>", "the port (default: server.port, else 8000; 0 picks a free one)")
  .option("-v, --verbose", "log routing decisions (also LF_DEBUG=1)")
  .action(async (options) => {
    const { serveCommand } = await import("./commands/serve.js");
    // Exit once closed: a provider's idle keep-alive socket must not hold a stopped server open.
    process.exit(await serveCommand(options));
  });

program
  .command("usage")
  .description("Report calls, failures, fallbacks, latency, tokens and cost from the project's usage ledger.")
  .option("-p, --project <path>", "the project file or its folder")
  .option("--since <when>", "a duration back from now (30m, 24h, 7d), a date or an ISO time", "7d")
  .option("--by <group>", "group rows by model, day, session or key", "model")
  .option("--compare <models>", "compare models side by side (A/B), as in fast,smart")
  .option("--json", "print the report as JSON")
  .action(async (options) => {
    const { usageCommand } = await import("./commands/usage.js");
    process.exitCode = await usageCommand(options);
  });

const keys = program
  .command("keys")
  .description("API keys kept hashed in the project's store (.lf/gateway.db, or the state: Redis): create, list, revoke.");

keys
  .command("create")
  .description("Create a key, print it once, keep only its SHA-256 digest.")
  .argument("<name>", "the key's name, recorded with its requests (lf usage --by key)")
  .option("-p, --project <path>", "the project file or its folder")
  .option("--projects <list>", "namespace/name of the projects it may use, comma-separated (default: this project)")
  .option("--models <list>", "the models and routers it may name, comma-separated (default: all)")
  .option("--rpm <n>", "requests per minute")
  .option("--tpm <n>", "tokens per minute")
  .option("--daily <usd>", "US dollars it may spend per UTC day")
  .option("--monthly <usd>", "US dollars it may spend per UTC month")
  .option("--expires <when>", "a date (UTC midnight) or ISO time after which it is refused")
  .option("--json", "print the key and its grant as JSON")
  .action(async (name: string, options) => {
    const { keysCreateCommand } = await import("./commands/keys.js");
    process.exitCode = await keysCreateCommand(name, options);
  });

keys
  .command("list")
  .description("List the store's keys (never the keys themselves): projects, models, limits, expiry, revoked or not.")
  .option("-p, --project <path>", "the project file or its folder")
  .option("--json", "print JSON")
  .action(async (options) => {
    const { keysListCommand } = await import("./commands/keys.js");
    process.exitCode = await keysListCommand(options);
  });

keys
  .command("revoke")
  .description("Revoke a key: every instance reading the store refuses it from its next request.")
  .argument("<name>", "the key's name")
  .option("-p, --project <path>", "the project file or its folder")
  .action(async (name: string, options) => {
    const { keysRevokeCommand } = await import("./commands/keys.js");
    process.exitCode = await keysRevokeCommand(name, options);
  });

program
  .command("status")
  .description("What works: each model's provider, key presence, connectivity and latency, circuit, limits; each MCP server.")
  .option("-p, --project <path>", "the project file or its folder")
  .option("--json", "print the status as JSON")
  .option("--timeout <ms>", "per check (default 5000)")
  .option("--slow <ms>", "a check slower than this is reported slow (default 2000)")
  .action(async (options) => {
    const { statusCommand } = await import("./commands/status.js");
    process.exitCode = await statusCommand(options);
  });

const models = program
  .command("models")
  .description("List the project's models and routers; with a subcommand, pull and list GGUF files for the llamacpp provider.")
  .enablePositionalOptions()
  .option("-p, --project <path>", "the project file or its folder")
  .option("--json", "print JSON")
  .action(async (options) => {
    const { modelsCommand } = await import("./commands/models.js");
    process.exitCode = await modelsCommand(options);
  });

models
  .command("pull")
  .description("Download a GGUF file into the models folder: resumable, with its size and sha256 checked when the source publishes them.")
  .argument("<source>", "hf:owner/repo/file.gguf (hf:owner/repo@revision/file.gguf for a revision), or an https URL")
  .option("--sha256 <hex>", "the sha256 the file must have")
  .option("--force", "download again even when the file is already here")
  .action(async (source: string, options: { sha256?: string; force?: boolean }) => {
    const { modelsPullCommand } = await import("./commands/models-pull.js");
    process.exitCode = await modelsPullCommand(source, options);
  });

models
  .command("list")
  .description("List the model files in the models folder: size, source, and partial or rejected downloads.")
  .option("--json", "print JSON")
  .action(async (options: { json?: boolean }) => {
    const { modelsListCommand } = await import("./commands/models-list.js");
    process.exitCode = modelsListCommand(options);
  });

models
  .command("path")
  .description("Print the models folder (LF_MODELS_DIR, else $XDG_CACHE_HOME/lf/models, else ~/.cache/lf/models), or where a source's file is kept.")
  .argument("[source]", "a pull source")
  .action(async (source: string | undefined) => {
    const { modelsPathCommand } = await import("./commands/models-path.js");
    process.exitCode = modelsPathCommand(source);
  });

program
  .command("providers")
  .description("List the providers, their default URLs and where each reads its key.")
  .option("-p, --project <path>", "the project file or its folder")
  .option("--json", "print JSON")
  .action(async (options) => {
    const { providersCommand } = await import("./commands/providers.js");
    process.exitCode = await providersCommand(options);
  });

program
  .command("mcp")
  .description("List the MCP servers, their connection state, their tools and the models that may use them.")
  .option("-p, --project <path>", "the project file or its folder")
  .option("--json", "print JSON")
  .option("--timeout <ms>", "to connect and list each server's tools (default 15000)")
  .action(async (options) => {
    const { mcpCommand } = await import("./commands/mcp.js");
    process.exitCode = await mcpCommand(options);
  });

await program.parseAsync(process.argv);

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    return pkg.version;
  } catch {
    return "0.0.0";
  }
}
