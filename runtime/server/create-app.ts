import type { IncomingMessage, ServerResponse } from "node:http";
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import type { Logger } from "pino";
import { isAbortError, LfError, redactSecrets } from "../index.js";
import { ApiError } from "./api-error.js";
import { chatHandler } from "./chat-handler.js";
import { errorEvent } from "./completion-chunks.js";
import { EdgeGuard } from "./edge-guard.js";
import { errorResponse } from "./error-response.js";
import { health, listAllModels, listProjectModels, listProjects, readiness } from "./info-routes.js";
import type { ProjectRegistry } from "./project-registry.js";
import { readJsonBody } from "./read-json-body.js";
import { beginRequest, contextOf } from "./request-context.js";
import { sendJson } from "./send-json.js";
import { sessionRoutes } from "./session-routes.js";
import { GatewayMetrics } from "./metrics.js";
import { metricsRoute } from "./metrics-route.js";
import { usageRoute } from "./usage-route.js";

const PROJECT = "/v1/projects/:namespace/:project";
const HOT_ROUTE = /^\/v1\/projects\/([^/?#]+)\/([^/?#]+)\/chat\/completions\/?(?:\?|$)/;

/**
 * The server's request listener: the project-scoped chat completions route, the gateway's hot path,
 * is dispatched directly to the same middleware and handler express would run; every other route
 * goes through express. Express's own dispatch costs about 110 µs of CPU per request (measured
 * against a bare Node handler at about 40 µs), which the benchmark's budget for the whole gateway
 * cannot carry on the one route that takes all the load.
 */
export function createRequestListener(
  registry: ProjectRegistry,
  logger: Logger,
  metrics = new GatewayMetrics(),
  bindHost = "127.0.0.1",
): (req: IncomingMessage, res: ServerResponse) => void {
  const app = createApp(registry, logger, metrics);
  const readBody = projectBodyReader(registry);
  const chat = chatHandler(registry, logger, "project", metrics);
  const guard = new EdgeGuard(bindHost, () => registry.edgeSettings);
  return function lf(req: IncomingMessage, res: ServerResponse): void {
    try {
      if (!guard.admit(req, res)) return;
    } catch (error) {
      beginRequest(req);
      return writeError(error, req as Request, res as Response, logger);
    }
    const match = req.method === "POST" ? HOT_ROUTE.exec(req.url ?? "") : null;
    if (match === null) return void app(req, res);
    const request = req as Request;
    const response = res as Response;
    const fail = (error: unknown) => writeError(error, request, response, logger);
    try {
      request.params = { namespace: decodeURIComponent(match[1]!), project: decodeURIComponent(match[2]!) };
      const ctx = beginRequest(req);
      const keys = registry.apiKeys;
      if (keys.required) ctx.key = keys.authenticate(req.headers.authorization);
      readBody(request, response, (error?: unknown) => {
        if (error !== undefined) return fail(error);
        chat(request, response).catch(fail);
      });
    } catch (error) {
      fail(error);
    }
  };
}

function projectBodyReader(registry: ProjectRegistry) {
  return readJsonBody((req) => registry.bodyLimit(registry.get(`${req.params.namespace}/${req.params.project}`)));
}

/**
 * The HTTP API over a set of projects. Middleware is kept to what every request needs (a request id,
 * the API key check); the JSON body is read only on the routes that take one.
 */
export function createApp(registry: ProjectRegistry, logger: Logger, metrics = new GatewayMetrics()): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);

  // One middleware for what every request needs; `/health` is answered here, before the key check.
  app.use(function begin(req: Request, res: Response, next: NextFunction) {
    const ctx = beginRequest(req);
    if ((req.url === "/health" || req.url.startsWith("/health?")) && (req.method === "GET" || req.method === "HEAD")) return health(req, res);
    const keys = registry.apiKeys;
    if (keys.required) ctx.key = keys.authenticate(req.headers.authorization);
    next();
  });

  const projectBody = projectBodyReader(registry);
  const globalBody = readJsonBody(() => registry.bodyLimit(registry.single()));
  const sessions = sessionRoutes(registry);

  // The hot route first: express tries routes in order.
  app.post(`${PROJECT}/chat/completions`, projectBody, chatHandler(registry, logger, "project", metrics));
  app.post("/v1/chat/completions", globalBody, chatHandler(registry, logger, "global", metrics));
  app.get("/health/ready", readiness(registry));
  app.get("/v1/projects", listProjects(registry));
  app.get("/v1/models", listAllModels(registry));
  app.get(`${PROJECT}/models`, listProjectModels(registry));
  app.get(`${PROJECT}/sessions/:id`, sessions.read);
  app.delete(`${PROJECT}/sessions/:id`, sessions.remove);
  app.get(`${PROJECT}/usage`, usageRoute(registry));
  app.get("/metrics", metricsRoute(metrics));

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
        path: (req.url ?? "").split("?", 1)[0],
        status: clientGone ? 499 : mapped.status,
        code: mapped.body.error.code,
        ...(ctx.run ? { model: ctx.run.requestedModel, attempts: ctx.run.attempts.length } : {}),
        ms: Math.round((performance.now() - ctx.startedAt) * 1000) / 1000,
      },
      // The log gets the whole story (upstream URL and words, secrets masked); the client its public part.
      clientGone && isAbortError(error) ? "client closed the request" : mapped.status === 500 && detail ? `internal error: ${detail}` : error instanceof LfError && detail ? detail : mapped.body.error.message,
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
