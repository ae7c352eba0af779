import OpenAI from "openai";
import { loadProjectFile, resolveProjectPath } from "../../runtime/index.js";
import { exitCodes } from "../exit-codes.js";
import { paint } from "../output.js";

export interface ServerChatOptions {
  project?: string;
  model?: string;
  json?: boolean;
  verbose?: boolean;
  session?: string;
  variables: Record<string, string>;
}

/**
 * `lf chat --server URL`: the same request, sent to a running `lf serve` with the official OpenAI
 * client. With a local project file the project-scoped route is used, else the OpenAI-style `/v1`.
 */
export async function chatViaServer(server: string, message: string, options: ServerChatOptions): Promise<number> {
  const base = server.replace(/\/+$/, "");
  const file = resolveProjectPath(options.project);
  const project = file ? loadProjectFile(file).project : undefined;
  const baseURL = project ? `${base}/v1/projects/${encodeURIComponent(project.namespace)}/${encodeURIComponent(project.name)}` : `${base}/v1`;
  const client = new OpenAI({
    baseURL,
    apiKey: process.env.LF_API_KEY ?? "none",
    maxRetries: 0,
    defaultHeaders: options.session ? { "X-Session-ID": options.session } : {},
  });
  const body = {
    model: options.model ?? "",
    messages: [{ role: "user" as const, content: message }],
    ...(Object.keys(options.variables).length > 0 ? { variables: options.variables } : {}),
  };
  const started = performance.now();
  try {
    if (options.json) {
      const { data, response } = await client.chat.completions.create({ ...body, stream: false } as never).withResponse();
      process.stdout.write(JSON.stringify(data, null, 2) + "\n");
      if (options.verbose) report(response.headers, started, undefined);
      return exitCodes.ok;
    }
    const { data: stream, response } = await client.chat.completions
      .create({ ...body, stream: true, stream_options: { include_usage: true } } as never)
      .withResponse();
    let firstAt: number | undefined;
    let text = "";
    for await (const chunk of stream as unknown as AsyncIterable<{ choices: Array<{ delta?: { content?: string | null } }> }>) {
      const delta = chunk.choices[0]?.delta?.content;
      if (delta) {
        firstAt ??= performance.now();
        text += delta;
        process.stdout.write(delta);
      }
    }
    if (text !== "" && !text.endsWith("\n")) process.stdout.write("\n");
    if (options.verbose) report(response.headers, started, firstAt);
    return exitCodes.ok;
  } catch (error) {
    const status = (error as { status?: number }).status;
    const messageText = error instanceof Error ? error.message : String(error);
    const reason = status === undefined ? `cannot reach ${base}: ${messageText} (is lf serve running there?)` : keyAdvice(status, base, messageText) ?? messageText;
    process.stderr.write(paint.red(`error: ${reason}`, process.stderr) + "\n");
    return status === 400 || status === 404 ? exitCodes.usage : exitCodes.failure;
  }
}

/** A refused key names the variable lf chat reads it from, which the server's own message cannot know. */
function keyAdvice(status: number, base: string, message: string): string | undefined {
  const key = process.env.LF_API_KEY;
  if (status === 401 && (key === undefined || key === "")) {
    return `${base} needs an API key: set LF_API_KEY to one of its server.api_keys (${message})`;
  }
  if (status === 401) return `${base} refused the key in LF_API_KEY (${message})`;
  if (status === 403) return `the key in LF_API_KEY may not use this project on ${base} (${message})`;
  return undefined;
}

function report(headers: Headers, started: number, firstAt: number | undefined): void {
  const err = process.stderr;
  const lines = [
    `model: ${headers.get("x-lf-model") ?? "?"} (provider ${headers.get("x-lf-provider") ?? "?"}), attempts: ${headers.get("x-lf-attempts") ?? "?"}`,
    `time to first token: ${firstAt === undefined ? "-" : `${Math.round(firstAt - started)} ms`}, total: ${Math.round(performance.now() - started)} ms`,
  ];
  err.write(paint.dim(lines.join("\n"), err) + "\n");
}
