import express, { type Express, type NextFunction, type Request, type Response } from "express";
import type { Logger } from "pino";
import { isAbortError, redactSecrets } from "../index.js";
import { ApiError } from "./api-error.js";
import { chatHandler } from "./chat-handler.js";
import { errorEvent } from "./completion-chunks.js";
import { errorResponse } from "./error-response.js";
import { health, listAllModels, listProjectModels, listProjects, readiness } from "./info-routes.js";
import type { ProjectRegistry } from "./project-registry.js";
import { readJsonBody } from "./read-json-body.js";
import { beginRequest, contextOf } from "./request-context.js";
import { sendJson } from "./send-json.js";
import { sessionRoutes } from "./session-routes.js";

const PROJECT = "/v1/projects/:namespace/:project";

/**
 * The HTTP API over a set of projects. Middleware is kept to what every request needs (a request id,
 * the API key check); the JSON body is read only on the routes that take one.
 */
export function createApp(registry: ProjectRegistry, logger: Logger): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);

  app.use(function begin(req: Request, _res: Response, next: NextFunction) {
    beginRequest(req);
    next();
  });
  app.get("/health", health);
  app.use(function authenticate(req: Request, _res: Response, next: NextFunction) {
    const keys = registry.apiKeys;
    if (keys.required) contextOf(req).key = keys.authenticate(req.headers.authorization);
    next();
  });

  const projectBody = readJsonBody((req) => registry.bodyLimit(registry.get(`${req.params.namespace}/${req.params.project}`)));
  const globalBody = readJsonBody(() => registry.bodyLimit(registry.single()));
  const sessions = sessionRoutes(registry);

  app.get("/health/ready", readiness(registry));
  app.get("/v1/projects", listProjects(registry));
  app.get("/v1/models", listAllModels(registry));
  app.post("/v1/chat/completions", globalBody, chatHandler(registry, logger, "global"));
  app.get(`${PROJECT}/models`, listProjectModels(registry));
  app.post(`${PROJECT}/chat/completions`, projectBody, chatHandler(registry, logger, "project"));
  app.get(`${PROJECT}/sessions/:id`, sessions.read);
  app.delete(`${PROJECT}/sessions/:id`, sessions.remove);

  app.use(function notFound(req: Request, _res: Response, next: NextFunction) {
    next(new ApiError(404, `No route ${req.method} ${req.path}.`, "not_found_error", "route_not_found"));
  });
  app.use(function sendError(error: unknown, req: Request, res: Response, _next: NextFunction) {
    writeError(error, req, res, logger);
  });
  return app;
}

function writeError(error: unknown, req: Request, res: Response, logger: Logger): void {
  const ctx = contextOf(req);
  const clientGone = ctx.clientGone === true || res.destroyed || (req.socket?.destroyed ?? false);
  const mapped = errorResponse(error, ctx.secrets);
  const level = clientGone || mapped.status < 500 ? "info" : "error";
  if (logger.isLevelEnabled(level)) {
    const detail = error instanceof Error ? redactSecrets(error.message, ctx.secrets) : undefined;
    logger[level](
      {
        req: ctx.id,
        method: req.method,
        path: req.path,
        status: clientGone ? 499 : mapped.status,
        code: mapped.body.error.code,
        ...(ctx.run ? { model: ctx.run.requestedModel, attempts: ctx.run.attempts.length } : {}),
        ms: Math.round((performance.now() - ctx.startedAt) * 1000) / 1000,
      },
      clientGone && isAbortError(error) ? "client closed the request" : mapped.status === 500 && detail ? `internal error: ${detail}` : mapped.body.error.message,
    );
  }
  if (clientGone) {
    res.destroy();
    return;
  }
  if (res.headersSent) {
    // A stream is under way: the failure goes out as its last event.
    if (!res.writableEnded) res.end(errorEvent(mapped.body));
    return;
  }
  const headers = { ...mapped.headers, ...(ctx.run ? { "x-lf-attempts": String(ctx.run.attempts.filter((a) => a.outcome !== "skipped").length) } : {}) };
  sendJson(res, ctx, mapped.status, mapped.body, headers);
}
