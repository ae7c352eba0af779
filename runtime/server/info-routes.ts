import type { Request, Response } from "express";
import type { ModelInfo } from "../index.js";
import { checkAccess, mayUse } from "./api-keys.js";
import { unknownProject } from "./chat-target.js";
import type { ProjectRegistry } from "./project-registry.js";
import { contextOf } from "./request-context.js";
import { sendJson } from "./send-json.js";
import type { ServedProject } from "./served-project.js";

const HEALTH = Buffer.from(`{"status":"ok"}`);

/** `GET /health`: the process is up. No key needed, no work done. */
export function health(_req: Request, res: Response): void {
  res.writeHead(200, { "content-type": "application/json", "content-length": HEALTH.length });
  res.end(HEALTH);
}

/**
 * `GET /health/ready`: each project's config (loaded, or the findings of the edit that was refused)
 * and each model's circuit and last known reachability, where sessions and usage rows are kept and
 * whether those answer (with the rows waiting for PostgreSQL). 503 while some project is not serving at
 * all; "degraded" while a config edit was refused or a store is down.
 */
export function readiness(registry: ProjectRegistry) {
  return async function ready(req: Request, res: Response): Promise<void> {
    const ctx = contextOf(req);
    const visible = registry.projects.filter((p) => p.key === undefined ? ctx.key?.projects === undefined : mayUse(ctx.key, p.key));
    const projects = await Promise.all(visible.map((p) => p.readiness()));
    const serving = projects.every((p) => p.loaded);
    const degraded = projects.some((p) => p.config_error !== null || p.sessions?.reachable === false || p.usage?.reachable === false);
    const status = !serving ? "not_ready" : degraded ? "degraded" : "ready";
    sendJson(res, ctx, serving ? 200 : 503, { status, projects });
  };
}

/** `GET /v1/projects`. */
export function listProjects(registry: ProjectRegistry) {
  return function projects(req: Request, res: Response): void {
    const ctx = contextOf(req);
    const data = registry
      .loaded()
      .filter((p) => mayUse(ctx.key, p.key!))
      .sort((a, b) => a.key!.localeCompare(b.key!))
      .map((p) => {
        const project = p.project!;
        return {
          id: p.key,
          object: "project",
          namespace: project.namespace,
          name: project.name,
          default_model: project.defaultModel,
          models: [...project.models.keys()],
          config_error: p.loadError !== undefined,
        };
      });
    sendJson(res, ctx, 200, { object: "list", data });
  };
}

/** `GET /v1/projects/{namespace}/{project}/models`. */
export function listProjectModels(registry: ProjectRegistry) {
  return function models(req: Request, res: Response): void {
    const ctx = contextOf(req);
    const key = `${req.params.namespace}/${req.params.project}`;
    const served = registry.get(key);
    if (served === undefined) throw unknownProject(registry, key, ctx);
    checkAccess(ctx.key, key);
    sendJson(res, ctx, 200, { object: "list", data: modelEntries(served, "") });
  };
}

/** `GET /v1/models`: every project's models as `namespace/project/model`, or bare names when one project is served. */
export function listAllModels(registry: ProjectRegistry) {
  return function models(req: Request, res: Response): void {
    const ctx = contextOf(req);
    const single = registry.single();
    if (single !== undefined && single.key !== undefined) {
      checkAccess(ctx.key, single.key);
      return sendJson(res, ctx, 200, { object: "list", data: modelEntries(single, "") });
    }
    const data = registry
      .loaded()
      .filter((p) => mayUse(ctx.key, p.key!))
      .flatMap((p) => modelEntries(p, `${p.key}/`));
    sendJson(res, ctx, 200, { object: "list", data });
  };
}

function modelEntries(served: ServedProject, prefix: string) {
  const generation = served.acquire();
  try {
    const created = Math.floor((served.loadedAt ?? Date.now()) / 1000);
    return generation.runtime.models().map((m: ModelInfo) => ({
      id: prefix + m.name,
      object: "model",
      created,
      owned_by: served.key,
      description: m.description ?? null,
      provider: m.provider ?? null,
      model: m.modelId ?? null,
      default: m.isDefault,
      router: m.router ?? null,
    }));
  } finally {
    served.release(generation);
  }
}
