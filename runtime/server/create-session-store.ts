import type { ResolvedProject } from "../config/index.js";
import { connectRedis, describeRedisUrl } from "../state/index.js";
import { FileSessionStore } from "./file-session-store.js";
import { RedisSessionStore } from "./redis-session-store.js";
import type { SessionStore } from "./session-store.js";

/** Redis when the project shares state (`state.redis_url`), so every instance sees every session; else files. */
export function createSessionStore(project: ResolvedProject, projectDir: string): SessionStore {
  const settings = project.sessions;
  const url = project.state.redisUrl;
  if (url === undefined || url === "") {
    const files = new FileSessionStore(projectDir, settings);
    // Sessions nobody came back to are collected once per start; a read never returns an expired one.
    void files.sweep();
    return files;
  }
  return new RedisSessionStore(connectRedis(url), {
    keyPrefix: project.state.keyPrefix,
    project: project.key,
    describe: describeRedisUrl(url),
    settings,
  });
}
