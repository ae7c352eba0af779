import type { Request, Response } from "express";
import { ApiError } from "../wires/api-error.js";
import { checkAccess } from "./api-keys.js";
import { unknownProject } from "./chat-target.js";
import type { ProjectRegistry } from "./project-registry.js";
import { contextOf } from "./request-context.js";
import { sendJson } from "./send-json.js";
import { checkSessionId } from "./session-store.js";

/** `GET` and `DELETE /v1/projects/{namespace}/{project}/sessions/{id}`. */
export function sessionRoutes(registry: ProjectRegistry) {
  const projectOf = (req: Request) => {
    const ctx = contextOf(req);
    const key = `${req.params.namespace}/${req.params.project}`;
    const served = registry.get(key);
    if (served === undefined) throw unknownProject(registry, key, ctx);
    checkAccess(ctx.key, key);
    return served;
  };
  const idOf = (req: Request) => checkSessionId(String(req.params.id));
  const missing = (id: string) => new ApiError(404, `No session ${id}.`, "not_found_error", "session_not_found");

  return {
    async read(req: Request, res: Response): Promise<void> {
      const served = projectOf(req);
      const id = idOf(req);
      const record = await served.sessions.read(id);
      if (record === undefined) throw missing(id);
      sendJson(res, contextOf(req), 200, { object: "session", ...record });
    },
    async remove(req: Request, res: Response): Promise<void> {
      const served = projectOf(req);
      const id = idOf(req);
      if (!(await served.sessions.remove(id))) throw missing(id);
      sendJson(res, contextOf(req), 200, { id, object: "session.deleted", deleted: true });
    },
  };
}
