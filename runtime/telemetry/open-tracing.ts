import type { ResolvedProject } from "../config/index.js";
import { traceExport } from "./trace-export.js";
import type { Tracing } from "./tracing.js";

/**
 * Tracing for `lf serve`, or undefined when no collector is configured. The OpenTelemetry SDK and its
 * exporter are imported here, on demand: a process that does not trace never loads them (they add tens
 * of milliseconds to start-up), and the request path then pays one `undefined` check.
 */
export async function openTracing(telemetry: ResolvedProject["telemetry"] | undefined, env: Readonly<Record<string, string | undefined>>): Promise<Tracing | undefined> {
  const settings = traceExport(telemetry, env);
  if (settings === undefined) return undefined;
  const { OtelTracing } = await import("./otel-tracing.js");
  return new OtelTracing(settings);
}
