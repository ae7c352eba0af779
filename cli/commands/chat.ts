import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import {
  LfError,
  openRuntime,
  type Runtime,
  collectStream,
  redactSecrets,
  toChatCompletion,
  type ChatMessage,
  type ChatRequest,
  type ResolvedProject,
  type StreamPart,
} from "../../runtime/index.js";
import { exitCodes } from "../exit-codes.js";
import { CliExit, loadProjectOrExit } from "../load-runtime.js";
import { paint } from "../output.js";

export interface ChatOptions {
  project?: string;
  model?: string;
  json?: boolean;
  verbose?: boolean;
  dryRun?: boolean;
  server?: string;
  session?: string;
  var?: string[];
}

export async function chatCommand(message: string, options: ChatOptions): Promise<number> {
  try {
    const variables = parseVariables(options.var ?? []);
    let text = message;
    if (text === "" && !process.stdin.isTTY) text = (await readStdin()).trim();
    if (options.server !== undefined) {
      if (text === "") return usage("a message is required with --server (as an argument or on stdin)");
      // The OpenAI SDK is this path's client only; a local chat never loads it.
      const { chatViaServer } = await import("./chat-via-server.js");
      return await chatViaServer(options.server, text, { ...options, variables });
    }
    const project = loadProjectOrExit(options.project);
    const opened = await openRuntime(project, { usage: !options.dryRun, logger: stderrLogger, fetch: globalThis.fetch });
    const runtime = opened.runtime;
    try {
      if (options.dryRun) return await dryRun(runtime, project, { ...(options.model ? { model: options.model } : {}), messages: [{ role: "user", content: text || "…" }], variables });
      if (text === "") {
        if (!process.stdin.isTTY) return usage("no message: pass one as an argument or on stdin");
        return await interactive(runtime, options, variables);
      }
      return await answer(runtime, project, [{ role: "user", content: text }], options, variables);
    } finally {
      await opened.close();
    }
  } catch (error) {
    if (error instanceof CliExit) return error.code;
    if (error instanceof LfError && error.code === "invalid_request") return usage(error.message);
    throw error;
  }
}

async function answer(
  runtime: Runtime,
  project: ResolvedProject,
  messages: ChatMessage[],
  options: ChatOptions,
  variables: Record<string, string>,
  signal?: AbortSignal,
): Promise<number> {
  const started = performance.now();
  let firstTokenAt: number | undefined;
  const request: ChatRequest = {
    messages,
    variables,
    stream: !options.json,
    ...(options.model ? { model: options.model } : {}),
    ...(signal ? { signal } : {}),
  };
  let run;
  try {
    run = await runtime.chat(request);
  } catch (error) {
    return failure(error, project);
  }
  let text = "";
  try {
    if (options.json) {
      const collected = await collectStream(tap(run, () => (firstTokenAt ??= performance.now())));
      text = collected.text;
      const completion = toChatCompletion(collected, { id: `chatcmpl-${randomUUID()}`, model: run.servedBy ?? run.requestedModel, created: Math.floor(Date.now() / 1000) });
      process.stdout.write(JSON.stringify(completion, null, 2) + "\n");
    } else {
      for await (const part of run) {
        if (part.type === "text-delta") {
          firstTokenAt ??= performance.now();
          text += part.text;
          process.stdout.write(part.text);
        } else showPart(part, project);
      }
      if (text !== "" && !text.endsWith("\n")) process.stdout.write("\n");
    }
  } catch (error) {
    if (text !== "" && !text.endsWith("\n") && !options.json) process.stdout.write("\n");
    if (signal?.aborted) {
      process.stderr.write(paint.dim("(stopped)", process.stderr) + "\n");
      return exitCodes.ok;
    }
    return failure(error, project);
  } finally {
    if (options.verbose) report(run, started, firstTokenAt);
    else if (process.stderr.isTTY) noteStandIn(run);
  }
  messages.push({ role: "assistant", content: text });
  return exitCodes.ok;
}

function showPart(part: StreamPart, project: ResolvedProject): void {
  const err = process.stderr;
  switch (part.type) {
    case "tool-start":
      err.write(paint.dim(`→ ${part.server}.${part.tool}(${clip(part.toolCall.arguments)})`, err) + "\n");
      break;
    case "tool-result":
      err.write(paint.dim(`${part.isError ? "✗" : "←"} ${part.toolCall.name} ${part.isError ? "failed" : "returned"} in ${Math.round(part.durationMs)} ms: ${clip(part.output)}`, err) + "\n");
      break;
    case "tool-call":
      err.write(paint.yellow(`tool call for the client: ${part.toolCall.name}(${clip(part.toolCall.arguments)})`, err) + "\n");
      break;
    case "finish":
      if (part.finishReason === "max-tool-iterations") {
        err.write(paint.yellow(`stopped: the model asked for tools ${project.maxToolIterations} times (runtime.max_tool_iterations)`, err) + "\n");
      } else if (part.finishReason === "length") {
        err.write(paint.yellow("stopped: max_tokens reached", err) + "\n");
      }
      break;
    case "error":
      throw part.error;
    default:
      break;
  }
}

/**
 * On a terminal, a person reading "chatting with local" must not take a fallback's answer for local's:
 * when another model answered because the first choice failed or was passed over, say so once.
 */
function noteStandIn(run: Awaited<ReturnType<Runtime["chat"]>>): void {
  const served = run.servedBy;
  if (served === undefined || served === run.requestedModel) return;
  const passed = [...new Map(run.attempts.filter((a) => a.model !== served && a.outcome !== "success").map((a) => [a.model, a])).values()];
  if (passed.length === 0) return; // a router's own pick, not a stand-in
  const why = passed.map((a) => `${a.model} ${a.outcome === "skipped" ? `passed over${a.skipped ? ` (${a.skipped})` : ""}` : `failed${a.code ? ` (${a.code}${a.status ? ` ${a.status}` : ""})` : ""}`}`).join(", ");
  process.stderr.write(paint.yellow(`answered by ${served}, not ${run.requestedModel}: ${why}`, process.stderr) + "\n");
}

function report(run: Awaited<ReturnType<Runtime["chat"]>>, started: number, firstTokenAt: number | undefined): void {
  const err = process.stderr;
  const total = performance.now() - started;
  const usage = run.usage;
  const lines = [
    `model: ${run.servedBy ?? "none"}${run.provider ? ` (provider ${run.provider})` : ""}${run.servedBy && run.servedBy !== run.requestedModel ? `, asked for ${run.requestedModel}` : ""}`,
    `attempts: ${run.attempts.filter((a) => a.outcome !== "skipped").length}${run.attempts.length ? ` (${run.attempts.map((a) => `${a.model} ${a.outcome}${a.status ? ` ${a.status}` : ""}${a.skipped ? ` ${a.skipped}` : ""}`).join(", ")})` : ""}`,
    `tokens: ${usage ? `${usage.inputTokens} in, ${usage.outputTokens} out${usage.estimated ? " (estimated)" : ""}` : "not reported"}`,
    `time to first token: ${firstTokenAt === undefined ? "-" : `${Math.round(firstTokenAt - started)} ms`}, total: ${Math.round(total)} ms`,
  ];
  err.write(paint.dim(lines.join("\n"), err) + "\n");
}

async function interactive(runtime: Runtime, options: ChatOptions, variables: Record<string, string>): Promise<number> {
  const project = runtime.project;
  const name = options.model ?? project.defaultModel;
  runtime.model(name);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  process.stderr.write(paint.dim(`chatting with ${name} (${project.key}); Ctrl-C stops an answer, Ctrl-D leaves`, process.stderr) + "\n");
  const messages: ChatMessage[] = [];
  let current: AbortController | undefined;
  // A question still waiting when the interface closes must end too, or the process is left with nothing
  // to do but an unsettled promise.
  const closed = new AbortController();
  rl.once("close", () => closed.abort());
  rl.on("SIGINT", () => {
    if (current) current.abort();
    else rl.close();
  });
  try {
    for (;;) {
      let line: string;
      try {
        line = await rl.question(paint.bold("> ", process.stdout), { signal: closed.signal });
      } catch {
        break; // Ctrl-D, Ctrl-C at the prompt, or closed
      }
      if (line.trim() === "") continue;
      messages.push({ role: "user", content: line });
      current = new AbortController();
      const before = messages.length;
      await answer(runtime, project, messages, options, variables, current.signal);
      if (messages.length === before) messages.pop(); // no answer: do not keep the question unanswered
      current = undefined;
    }
  } finally {
    rl.close();
  }
  return exitCodes.ok;
}

async function dryRun(runtime: Runtime, project: ResolvedProject, request: ChatRequest): Promise<number> {
  try {
    const { model, options, http } = await runtime.preview(request);
    const out = http ? toCurl(http) : JSON.stringify({ provider: model.provider, model: model.modelId, messages: options.messages, parameters: { ...model.parameters, ...options.parameters } }, null, 2);
    process.stderr.write(paint.dim(`# model ${model.name} (provider ${model.provider}); nothing was sent`, process.stderr) + "\n");
    process.stdout.write(redactSecrets(out, project.secrets) + "\n");
    return exitCodes.ok;
  } catch (error) {
    return failure(error, project);
  }
}

function toCurl(request: { method: string; url: string; headers: Record<string, string>; body: unknown }): string {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const lines = [`curl -X ${request.method} ${quote(request.url)}`];
  for (const [k, v] of Object.entries(request.headers)) lines.push(`  -H ${quote(`${k}: ${v}`)}`);
  if (request.body !== undefined) lines.push(`  -d ${quote(JSON.stringify(request.body, null, 2))}`);
  return lines.join(" \\\n");
}

function failure(error: unknown, project: ResolvedProject | undefined): number {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(paint.red(`error: ${project ? redactSecrets(message, project.secrets) : message}`, process.stderr) + "\n");
  for (const model of project?.models.values() ?? []) {
    // A model file named by its pull source is missing until it is pulled: say the command.
    if (model.ggufSource !== undefined && message.includes(model.modelId) && !existsSync(model.modelId)) {
      process.stderr.write(`${model.name}'s model file is not downloaded yet: run lf models pull ${model.ggufSource}\n`);
    }
  }
  if (error instanceof LfError && (error.code === "model_not_found" || error.code === "invalid_request" || error.code === "config_invalid")) {
    return exitCodes.usage;
  }
  return exitCodes.failure;
}

const stderrLogger = {
  warn: (message: string) => process.stderr.write(paint.yellow(`warning: ${message}`, process.stderr) + "\n"),
  info: (message: string) => {
    if (process.env.LF_DEBUG) process.stderr.write(`${message}\n`);
  },
};

function usage(message: string): number {
  process.stderr.write(`error: ${message}\n`);
  return exitCodes.usage;
}

async function* tap(parts: AsyncIterable<StreamPart>, onText: () => void): AsyncIterable<StreamPart> {
  for await (const part of parts) {
    if (part.type === "text-delta") onText();
    yield part;
  }
}

function parseVariables(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new LfError("invalid_request", `--var takes key=value, not "${pair}"`);
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

async function readStdin(): Promise<string> {
  let data = "";
  process.stdin.setEncoding("utf8");
  for await (const chunk of process.stdin) data += chunk;
  return data;
}

function clip(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
