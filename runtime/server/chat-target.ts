import type { IncomingMessage } from "node:http";
import { ApiError } from "../wires/api-error.js";
import { checkAccess, mayUse } from "./api-keys.js";
import type { ProjectRegistry } from "./project-registry.js";
import type { RequestContext } from "./request-context.js";
import type { ServedProject } from "./served-project.js";
import { checkSessionId } from "./session-store.js";

/** Which project and model a request is for, and how the answering model is named back. */
export interface ChatTarget {
  served: ServedProject;
  model: string | undefined;
  /** Prefix for `model` in responses: `namespace/project/` on the project-less route. */
  prefix: string;
}

/** Where a chat route's project comes from: the path (`/v1/projects/{ns}/{p}/...`) or the model's name. */
export type ChatScope = { kind: "project"; namespace: string; project: string } | { kind: "global" };

/** The project and model a request names, checked against the key it came with. */
export function chatTarget(registry: ProjectRegistry, scope: ChatScope, model: string | undefined, ctx: RequestContext): ChatTarget {
  return scope.kind === "project" ? projectTarget(registry, `${scope.namespace}/${scope.project}`, model, ctx) : globalTarget(registry, model, ctx);
}

function projectTarget(registry: ProjectRegistry, key: string, model: string | undefined, ctx: RequestContext): ChatTarget {
  const served = registry.get(key);
  if (served === undefined) throw unknownProject(registry, key, ctx);
  checkAccess(ctx.key, key);
  return { served, model, prefix: "" };
}

/** `namespace/project/model`, `namespace/project` (its default), or a bare model when one project is served. */
function globalTarget(registry: ProjectRegistry, name: string | undefined, ctx: RequestContext): ChatTarget {
  const single = registry.single();
  if (name === undefined || !name.includes("/")) {
    if (single === undefined) {
      throw new ApiError(400, `Several projects are served: name the model as namespace/project/model. Models: ${visibleModels(registry, ctx).join(", ")}.`, "invalid_request_error", "model_required", "model");
    }
    if (single.key !== undefined) checkAccess(ctx.key, single.key);
    return { served: single, model: name, prefix: "" };
  }
  const parts = name.split("/");
  if (parts.length > 3) throw modelNotFound(registry, name, ctx);
  const key = `${parts[0]}/${parts[1]}`;
  const served = registry.get(key);
  if (served === undefined) throw modelNotFound(registry, name, ctx);
  checkAccess(ctx.key, key);
  return { served, model: parts[2] === "" ? undefined : parts[2], prefix: `${key}/` };
}

/** `X-Session-ID`, unless `X-No-Session` turns it off. */
export function sessionOf(req: IncomingMessage): string | undefined {
  const id = req.headers["x-session-id"];
  if (typeof id !== "string" || id === "") return undefined;
  const off = req.headers["x-no-session"];
  if (typeof off === "string" && (off.toLowerCase() === "true" || off === "1")) return undefined;
  return checkSessionId(id);
}

export function unknownProject(registry: ProjectRegistry, key: string, ctx: RequestContext): ApiError {
  const known = registry.keys().filter((k) => mayUse(ctx.key, k));
  return new ApiError(404, `No project ${key}. Projects: ${known.join(", ") || "none"}.`, "not_found_error", "project_not_found", null);
}

function modelNotFound(registry: ProjectRegistry, name: string, ctx: RequestContext): ApiError {
  return new ApiError(404, `No model "${name}". Models: ${visibleModels(registry, ctx).join(", ")}.`, "not_found_error", "model_not_found", "model");
}

function visibleModels(registry: ProjectRegistry, ctx: RequestContext): string[] {
  const names: string[] = [];
  for (const served of registry.loaded()) {
    if (!mayUse(ctx.key, served.key!)) continue;
    for (const model of served.project!.models.keys()) names.push(`${served.key}/${model}`);
  }
  return names;
}
