import type { IncomingMessage, ServerResponse } from "node:http";
import { ROOT_CONTEXT, defaultTextMapGetter, type Tracer } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import { OtelRequestSpan } from "./request-span.js";
import type { TraceExport } from "./trace-export.js";
import type { RequestSpan, RequestSpanStart, Tracing } from "./tracing.js";

const SHUTDOWN_MS = 3_000;

/**
 * The OpenTelemetry SDK behind `Tracing`: spans are queued and exported in batches over OTLP/HTTP
 * (JSON) off the request path. The provider is this object's own, not the global one, so an embedder's
 * SDK setup and ours never meet.
 */
export class OtelTracing implements Tracing {
  private readonly provider: BasicTracerProvider;
  private readonly tracer: Tracer;
  private readonly propagator = new W3CTraceContextPropagator();

  constructor(settings: TraceExport) {
    const exporter = new OTLPTraceExporter({ url: settings.url, headers: { ...settings.headers } });
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.serviceName }),
      spanProcessors: [new BatchSpanProcessor(exporter, settings.scheduleDelayMs === undefined ? {} : { scheduledDelayMillis: settings.scheduleDelayMs })],
    });
    this.tracer = this.provider.getTracer("lf");
  }

  request(req: IncomingMessage, res: ServerResponse, start: RequestSpanStart): RequestSpan {
    const parent = this.propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
    return new OtelRequestSpan(this.tracer, parent, req, res, start);
  }

  async flush(): Promise<void> {
    await this.provider.forceFlush();
  }

  /** A collector that does not answer holds the server's exit for at most `SHUTDOWN_MS`. */
  async shutdown(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SHUTDOWN_MS);
      timer.unref();
    });
    try {
      await Promise.race([this.provider.shutdown(), gaveUp]);
    } finally {
      clearTimeout(timer);
    }
  }
}
