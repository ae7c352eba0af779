import { basename } from "node:path";
import { cachePathOf, LfError, ModelPullError, modelsDir, parseModelSource, pullModel, type ChecksumOrigin, type PullResult } from "../../runtime/index.js";
import { exitCodes } from "../exit-codes.js";
import { paint } from "../output.js";
import { formatBytes, ProgressBar } from "../progress-bar.js";

export interface PullCommandOptions {
  sha256?: string;
  force?: boolean;
}

/** `lf models pull SOURCE`: a GGUF file into the models folder, resumable and checked. */
export async function modelsPullCommand(text: string, options: PullCommandOptions): Promise<number> {
  const env = process.env;
  const err = process.stderr;
  let source;
  try {
    source = parseModelSource(text, env);
  } catch (error) {
    if (error instanceof LfError) {
      err.write(`error: ${error.message}\n`);
      return exitCodes.usage;
    }
    throw error;
  }
  const dir = modelsDir(env);
  const bar = new ProgressBar(err, basename(cachePathOf(source, dir)));
  const stop = new AbortController();
  const onInterrupt = () => stop.abort();
  process.once("SIGINT", onInterrupt);
  try {
    const result = await pullModel(source, {
      dir,
      fetch: globalThis.fetch,
      env,
      ...(options.sha256 === undefined ? {} : { sha256: options.sha256 }),
      ...(options.force ? { force: true } : {}),
      signal: stop.signal,
      onEvent: (event) => {
        if (event.type === "start") {
          if (event.restarted === "range-ignored") err.write(paint.yellow("the server does not resume downloads (it sent the whole file again): starting over", err) + "\n");
          if (event.restarted === "file-changed") err.write(paint.yellow("the file changed at its source since the partial download: starting over", err) + "\n");
          err.write(paint.dim(`from ${event.url}`, err) + "\n");
          bar.start(event.total, event.resumedFrom);
        } else if (event.type === "progress") {
          bar.update(event.received);
        } else {
          bar.finish();
        }
      },
    });
    report(source.reference, result);
    return exitCodes.ok;
  } catch (error) {
    bar.finish();
    if (error instanceof ModelPullError) {
      err.write(paint.red(`error: ${error.message}`, err) + "\n");
      return exitCodes.failure;
    }
    if (error instanceof LfError && error.code === "invalid_request") {
      err.write(`error: ${error.message}\n`);
      return exitCodes.usage;
    }
    if (stop.signal.aborted) {
      err.write("stopped; run the same command again to resume\n");
      return exitCodes.failure;
    }
    throw error;
  } finally {
    process.off("SIGINT", onInterrupt);
  }
}

const CHECKED: Record<ChecksumOrigin, string> = {
  given: "matches --sha256",
  published: "matches the one its source publishes",
  sidecar: "matches the .sha256 file beside it",
  none: "not checked: the source publishes none (pass --sha256 to check one)",
};

function report(reference: string, result: PullResult): void {
  const out = process.stdout;
  const what = `${formatBytes(result.bytes)}, sha256 ${result.sha256} ${CHECKED[result.checksum]}`;
  if (result.alreadyPresent) {
    out.write(`already here: ${result.path} (${what}); --force downloads it again\n`);
  } else {
    out.write(`pulled ${reference}${result.resumedFrom > 0 ? ` (resumed at ${formatBytes(result.resumedFrom)})` : ""}\n  ${result.path}\n  ${what}\n`);
  }
  out.write(paint.dim(`use it in a project: provider: llamacpp, model: ${reference}`, out) + "\n");
}
