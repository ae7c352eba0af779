import type { ResolvedProject } from "../config/index.js";

/** Where spans go and how they are sent; absent when tracing is off. */
export interface TraceExport {
  /** The full OTLP/HTTP traces URL (`…/v1/traces`). */
  url: string;
  headers: Readonly<Record<string, string>>;
  serviceName: string;
  /** Milliseconds between batch exports; the SDK's default when absent. */
  scheduleDelayMs: number | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Tracing is on when the project names a collector, or the standard variables do: the project's
 * `otlp_endpoint` first, then OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (used as it is), then
 * OTEL_EXPORTER_OTLP_ENDPOINT (the base, `/v1/traces` added), as the OTLP exporter specification
 * orders the two variables. OTEL_SDK_DISABLED=true turns it off whatever is set.
 */
export function traceExport(telemetry: ResolvedProject["telemetry"] | undefined, env: Env): TraceExport | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return undefined;
  const url = telemetry?.otlpEndpoint !== undefined ? tracesUrl(telemetry.otlpEndpoint) : nonEmpty(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ?? baseUrl(nonEmpty(env.OTEL_EXPORTER_OTLP_ENDPOINT));
  if (url === undefined) return undefined;
  const delay = Number(env.OTEL_BSP_SCHEDULE_DELAY);
  return {
    url,
    headers: telemetry?.headers ?? {},
    serviceName: nonEmpty(env.OTEL_SERVICE_NAME) ?? telemetry?.serviceName ?? "lf",
    scheduleDelayMs: Number.isFinite(delay) && delay > 0 ? delay : undefined,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === "" ? undefined : trimmed;
}

function baseUrl(base: string | undefined): string | undefined {
  return base === undefined ? undefined : `${base.replace(/\/+$/, "")}/v1/traces`;
}

/** A base URL gets `/v1/traces`; one that already ends in it is kept. */
function tracesUrl(endpoint: string): string {
  return /\/v1\/traces\/?$/.test(endpoint) ? endpoint : baseUrl(endpoint)!;
}
