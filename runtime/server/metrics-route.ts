import type { Request, Response } from "express";
import { ApiError } from "../wires/api-error.js";
import type { GatewayMetrics } from "./metrics.js";
import { contextOf } from "./request-context.js";

/**
 * `GET /metrics`, in Prometheus text format. Behind the API keys like every route but `/health`; since
 * the figures span every project, a key limited to some projects may not read them.
 */
export function metricsRoute(metrics: GatewayMetrics) {
  return async function scrape(req: Request, res: Response): Promise<void> {
    const ctx = contextOf(req);
    if (ctx.key?.projects !== undefined) {
      throw new ApiError(403, "Metrics cover every project: this API key is limited to some projects.", "permission_error", "metrics_forbidden");
    }
    const text = await metrics.registry.metrics();
    res.writeHead(200, { "content-type": metrics.registry.contentType, "content-length": Buffer.byteLength(text), "cache-control": "no-store", "x-request-id": ctx.id });
    res.end(text);
  };
}
