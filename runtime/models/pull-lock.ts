import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { ModelPullError } from "./model-pull-error.js";

/**
 * One pull of a file at a time: two processes appending to the same partial file would corrupt it.
 * The lock holds the owner's pid, so a lock left by a process that died is taken over.
 */
export function acquirePullLock(file: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: "wx" });
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number(readFileSync(file, "utf8").trim());
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new ModelPullError("busy", `another lf (pid ${owner}) is pulling this file now (${file}); wait for it, or remove the lock if that process is gone`);
      }
      rmSync(file, { force: true });
    }
  }
  throw new ModelPullError("busy", `could not take the lock ${file}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
