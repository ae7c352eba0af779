import type { Request, Response } from "express";
import { routeReport } from "../route-report.js";
import { openAIChatWire } from "../wires/openai-chat/index.js";
import type { ApiError } from "../wires/api-error.js";
import { chatTarget, type ChatScope } from "./chat-target.js";
import type { ProjectRegistry } from "./project-registry.js";
import { readJson } from "./read-json-body.js";
import { contextOf } from "./request-context.js";
import { sendJson } from "./send-json.js";

/**
 * `POST /v1/projects/{namespace}/{project}/route` (and `/v1/route`, the model named as on the root chat
 * route): a chat completions body in, the JSON `lf route --json` prints out. The same decoding, project,
 * model and key checks as a chat request; no model is called and nothing is recorded.
 */
export function routeExplain(registry: ProjectRegistry) {
  return async function route(req: Request, res: Response): Promise<void> {
    const ctx = contextOf(req);
    const { namespace, project } = req.params as { namespace?: string; project?: string };
    const scope: ChatScope = namespace === undefined || project === undefined ? { kind: "global" } : { kind: "project", namespace, project };
    const body = await readBody(req, registry.bodyLimit(scope));
    const decoded = openAIChatWire.decode(body);
    const target = chatTarget(registry, scope, decoded.model, ctx);
    const generation = target.served.acquire();
    try {
      ctx.secrets = generation.runtime.project.secrets;
      sendJson(res, ctx, 200, await routeReport(generation.runtime, { ...decoded.request, model: target.model }));
    } finally {
      target.served.release(generation);
    }
  };
}

function readBody(req: Request, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => readJson(req, limit, (error: ApiError | undefined, body) => (error === undefined ? resolve(body) : reject(error))));
}
