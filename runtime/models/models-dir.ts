import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Where pulled model files live: `LF_MODELS_DIR`, else `$XDG_CACHE_HOME/lf/models`, else
 * `~/.cache/lf/models`. A cache, not a project folder: every project on the machine shares it, and
 * deleting it costs only a new download.
 */
export function modelsDir(env: Env, home: () => string = homedir): string {
  const own = env.LF_MODELS_DIR?.trim();
  if (own) return resolve(own);
  const xdg = env.XDG_CACHE_HOME?.trim();
  // The XDG spec says a relative value is invalid and must be ignored.
  const cache = xdg && isAbsolute(xdg) ? xdg : join(env.HOME?.trim() || home(), ".cache");
  return join(cache, "lf", "models");
}
