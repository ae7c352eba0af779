import type { Request, Response } from "express";
import { ApiError } from "../../wires/api-error.js";
import { checkAccess, mayUse } from "../api-keys.js";
import { unknownProject } from "../chat-target.js";
import type { ProjectRegistry } from "../project-registry.js";
import { contextOf } from "../request-context.js";
import { sendJson } from "../send-json.js";
import type { ConsoleHub } from "./console-hub.js";
import { projectConfig } from "./project-config.js";
import type { RequestEntry } from "./request-log.js";

const HEARTBEAT_MS = 15_000;
const MAX_LIMIT = 500;

/** The JSON endpoints the console reads besides the rest of the API: recent requests, live events, a project's config. */
export function consoleRoutes(registry: ProjectRegistry, hub: ConsoleHub) {
  return {
    /**
     * `GET /v1/requests?project=ns/p&model=m&status=ok|error|CODE&limit=100`: the server's recent chat
     * requests, newest first, of the projects the key may use.
     */
    requests(req: Request, res: Response): void {
      const ctx = contextOf(req);
      const query = new URLSearchParams(req.url.includes("?") ? req.url.slice(req.url.indexOf("?") + 1) : "");
      const project = query.get("project") ?? undefined;
      if (project !== undefined && registry.get(project) === undefined) throw unknownProject(registry, project, ctx);
      if (project !== undefined) checkAccess(ctx.key, project);
      const limit = Math.min(MAX_LIMIT, Math.max(1, Number.parseInt(query.get("limit") ?? "100", 10) || 100));
      const model = query.get("model") ?? undefined;
      const status = query.get("status") ?? undefined;
      const visible = (p: string) => mayUse(ctx.key, p) && (project === undefined || p === project);
      const data = hub.requests.list(visible, MAX_LIMIT).filter((e) => matches(e, model, status)).slice(0, limit);
      sendJson(res, ctx, 200, { object: "list", data });
    },

    /**
     * `GET /v1/events`: server-sent events. First `snapshot` (projects and every model's state), then
     * `model` (a model's health, circuit, limits or load changed), `inflight`, `request` (one finished)
     * and `config` (a live reload, accepted or refused), each for the projects the key may use.
     */
    async events(req: Request, res: Response): Promise<void> {
      const ctx = contextOf(req);
      const visible = (p: string) => mayUse(ctx.key, p);
      res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no", "x-request-id": ctx.id });
      res.write("retry: 2000\n\n");
      const send = (event: string, data: string) => void res.write(`event: ${event}\ndata: ${data}\n\n`);
      const heartbeat = setInterval(() => res.write(": keep-alive\n\n"), HEARTBEAT_MS);
      heartbeat.unref();
      const stop = hub.watch({ visible, send, end: () => res.end() });
      res.once("close", () => {
        clearInterval(heartbeat);
        stop();
      });
      send("snapshot", JSON.stringify(await hub.snapshot(visible)));
    },

    /** `GET /v1/projects/{namespace}/{project}/config`: the file as loaded (secrets masked), its findings, the last reload. */
    config(req: Request, res: Response): void {
      const ctx = contextOf(req);
      const key = `${req.params.namespace}/${req.params.project}`;
      const served = registry.get(key);
      if (served === undefined) throw unknownProject(registry, key, ctx);
      checkAccess(ctx.key, key);
      sendJson(res, ctx, 200, projectConfig(served));
    },
  };
}

function matches(entry: RequestEntry, model: string | undefined, status: string | undefined): boolean {
  if (model !== undefined && entry.model !== model && entry.served_by !== model) return false;
  if (status === undefined) return true;
  if (status === "ok") return entry.outcome === "ok";
  if (status === "error") return entry.outcome !== "ok";
  if (/^[0-9]{3}$/.test(status)) return entry.status === Number(status);
  if (status !== entry.outcome) return false;
  return true;
}

export function consoleDisabled(): ApiError {
  return new ApiError(404, "The web console is off (server.console: false).", "not_found_error", "route_not_found");
}
