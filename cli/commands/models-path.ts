import { cachePathOf, LfError, modelsDir, parseModelSource } from "../../runtime/index.js";
import { exitCodes } from "../exit-codes.js";

/** `lf models path [SOURCE]`: the models folder, or where a source's file is kept in it. */
export function modelsPathCommand(text: string | undefined): number {
  const dir = modelsDir(process.env);
  if (text === undefined) {
    process.stdout.write(`${dir}\n`);
    return exitCodes.ok;
  }
  try {
    process.stdout.write(`${cachePathOf(parseModelSource(text, process.env), dir)}\n`);
    return exitCodes.ok;
  } catch (error) {
    if (!(error instanceof LfError)) throw error;
    process.stderr.write(`error: ${error.message}\n`);
    return exitCodes.usage;
  }
}
