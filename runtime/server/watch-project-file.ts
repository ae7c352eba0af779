import { watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";

export interface WatchOptions {
  debounceMs?: number;
  onError?: (error: Error) => void;
}

/**
 * Calls `onChange` after the project file (or the `.env` beside it) has changed and then stayed quiet
 * for `debounceMs`. The folder is watched rather than the file, so an editor that writes a new file
 * and renames it over the old one is seen as well. `force` is true when `.env` changed, since the
 * project's text alone then says nothing. Returns a function that stops watching.
 */
export function watchProjectFile(file: string, onChange: (force: boolean) => void, options: WatchOptions = {}): () => void {
  const name = basename(file);
  const debounceMs = options.debounceMs ?? 150;
  let timer: NodeJS.Timeout | undefined;
  let force = false;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
      const which = changed?.toString();
      if (which !== undefined && which !== name && which !== ".env") return;
      force ||= which === ".env";
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        const forced = force;
        force = false;
        onChange(forced);
      }, debounceMs);
      timer.unref();
    });
    watcher.on("error", (error) => options.onError?.(error));
  } catch (error) {
    options.onError?.(error as Error);
  }
  return () => {
    if (timer !== undefined) clearTimeout(timer);
    watcher?.close();
  };
}
