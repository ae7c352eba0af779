import type { IncomingMessage, ServerResponse } from "node:http";
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import type { Logger } from "pino";
import { isAbortError, LfError, redactSecrets } from "../index.js";
import { ApiError } from "../wires/api-error.js";
import { withKey } from "./api-keys.js";
import { matchChatRoute } from "./chat-routes.js";
import { EdgeGuard } from "./edge-guard.js";
import { mapError } from "./error-response.js";
import { health, listAllModels, listProjectModels, listProjects, readiness } from "./info-routes.js";
import type { ProjectRegistry } from "./project-registry.js";
import { readJson } from "./read-json-body.js";
import { routeExplain } from "./route-explain.js";
import { serveChat } from "./serve-chat.js";
import { serveEmbeddings } from "./serve-embeddings.js";
import { openAIChatWire } from "../wires/openai-chat/index.js";
import { beginRequest, contextOf } from "./request-context.js";
import { sendJson } from "./send-json.js";
import { sessionRoutes } from "./session-routes.js";
import { GatewayMetrics } from "./metrics.js";
import { metricsRoute } from "./metrics-route.js";
import { usageRoute } from "./usage-route.js";
import { ConsoleAssets } from "./console/console-assets.js";
import { ConsoleHub } from "./console/console-hub.js";
import { consoleDisabled, consoleRoutes } from "./console/console-routes.js";
import type { Tracing } from "../telemetry/index.js";

const PROJECT = "/v1/projects/:namespace/:project";

/**
 * The server's request listener. Every chat route (each client dialect, project-scoped and at the
 * root) is matched once in a route table, before any framework, and goes straight to the one pipeline;
 * express serves the rest and never sees a chat request. Express's dispatch costs about 110 µs of CPU
 * per request, which the gateway's budget cannot carry on the routes that take all the load.
 */
export function createRequestListener(
  registry: ProjectRegistry,
  logger: Logger,
  metrics = new GatewayMetrics(),
  bindHost = "127.0.0.1",
  hub = new ConsoleHub(),
  tracing?: Tracing,
): (req: IncomingMessage, res: ServerResponse) => void {
  const app = createApp(registry, logger, metrics, hub);
  const chat = serveChat(registry, logger, metrics, hub, tracing);
  const embeddings = serveEmbeddings(registry, logger, metrics, tracing);
  const guard = new EdgeGuard(bindHost, () => registry.edgeSettings);
  return function lf(req: IncomingMessage, res: ServerResponse): void {
    try {
      if (!guard.admit(req, res)) return;
    } catch (error) {
      beginRequest(req);
      return writeError(error, req, res, logger);
    }
    const route = req.method === "POST" ? matchChatRoute(req.url ?? "") : undefined;
    if (route === undefined) return void app(req, res);
    const fail = (error: unknown) => writeError(error, req, res, logger);
    try {
      const ctx = beginRequest(req);
      const endpoint = route.endpoint;
      ctx.wire = endpoint.wire;
      const scope = route.scope;
      withKey(registry.apiKeys, req.headers.authorization ?? bearerOf(req.headers["x-api-key"]), ctx, () => {
        readJson(req, registry.bodyLimit(scope), (error, body) => {
          if (error !== undefined) return fail(error);
          (endpoint.kind === "chat" ? chat(endpoint.wire, scope, req, res, body) : embeddings(scope, req, res, body)).catch(fail);
        });
      }, fail);
    } catch (error) {
      fail(error);
    }
  };
}

/** Anthropic's clients send their key as `x-api-key`; it is checked like a bearer key. */
function bearerOf(key: string | string[] | undefined): string | undefined {
  return typeof key === "string" ? `Bearer ${key}` : undefined;
}

/**
 * The HTTP API over a set of projects. Middleware is kept to what every request needs (a request id,
 * the API key check); the JSON body is read only on the routes that take one.
 */
export function createApp(registry: ProjectRegistry, logger: Logger, metrics = new GatewayMetrics(), hub = new ConsoleHub()): Express {
  const app = express();
  const assets = new ConsoleAssets();
  const consoleApi = consoleRoutes(registry, hub);
  app.disable("x-powered-by");
  app.set("etag", false);

  // One middleware for what every request needs; `/health` is answered here, before the key check.
  app.use(function begin(req: Request, res: Response, next: NextFunction) {
    const ctx = beginRequest(req);
    if ((req.url === "/health" || req.url.startsWith("/health?")) && (req.method === "GET" || req.method === "HEAD")) return health(req, res);
    // The console's page holds no data: it loads without a key, then asks for one.
    if ((req.method === "GET" || req.method === "HEAD") && ConsoleAssets.owns(req.url)) {
      if (!registry.consoleEnabled) return next(consoleDisabled());
      return assets.serve(req, res);
    }
    withKey(registry.apiKeys, req.headers.authorization, ctx, next, next);
  });

  const sessions = sessionRoutes(registry);

  app.get("/health/ready", readiness(registry));
  app.get("/v1/projects", listProjects(registry));
  app.get("/v1/models", listAllModels(registry));
  app.get(`${PROJECT}/models`, listProjectModels(registry));
  app.get(`${PROJECT}/sessions/:id`, sessions.read);
  app.delete(`${PROJECT}/sessions/:id`, sessions.remove);
  app.get(`${PROJECT}/usage`, usageRoute(registry));
  app.post(`${PROJECT}/route`, routeExplain(registry));
  app.post("/v1/route", routeExplain(registry));
  app.get("/metrics", metricsRoute(metrics));
  app.get("/v1/requests", consoleApi.requests);
  app.get("/v1/events", consoleApi.events);
  app.get(`${PROJECT}/config`, consoleApi.config);

  app.use(function notFound(req: Request, _res: Response, next: NextFunction) {
    next(new ApiError(404, `No route ${req.method} ${req.path}.`, "not_found_error", "route_not_found"));
  });
  app.use(function sendError(error: unknown, req: Request, res: Response, _next: NextFunction) {
    writeError(error, req, res, logger);
  });
  return app;
}

function writeError(error: unknown, req: IncomingMessage, res: ServerResponse, logger: Logger): void {
  const ctx = contextOf(req);
  const clientGone = ctx.clientGone === true || res.destroyed || (req.socket?.destroyed ?? false);
  const mapped = mapError(error, ctx.secrets);
  const level = clientGone || mapped.status < 500 ? "info" : "error";
  if (logger.isLevelEnabled(level)) {
    const detail = error instanceof Error ? redactSecrets(error.message, ctx.secrets) : undefined;
    logger[level](
      {
        req: ctx.id,
        method: req.method,
        path: (req.url ?? "").split("?", 1)[0],
        status: clientGone ? 499 : mapped.status,
        code: mapped.code,
        ...(ctx.run ? { model: ctx.run.requestedModel, attempts: ctx.run.attempts.length } : {}),
        ms: Math.round((performance.now() - ctx.startedAt) * 1000) / 1000,
      },
      // The log gets the whole story (upstream URL and words, secrets masked); the client its public part.
      clientGone && isAbortError(error) ? "client closed the request" : mapped.status === 500 && detail ? `internal error: ${detail}` : error instanceof LfError && detail ? detail : mapped.message,
    );
  }
  if (clientGone) {
    res.destroy();
    return;
  }
  const wire = ctx.wire ?? openAIChatWire;
  if (res.headersSent) {
    // A stream is under way: the failure goes out as its last event.
    if (!res.writableEnded) res.end(wire.errorEvent(mapped));
    return;
  }
  const headers = { ...mapped.headers, ...(ctx.run ? { "x-lf-attempts": String(ctx.run.attempts.filter((a) => a.outcome !== "skipped").length) } : {}) };
  sendJson(res, ctx, mapped.status, wire.errorBody(mapped), headers);
}
