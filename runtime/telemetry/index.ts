export { openTracing } from "./open-tracing.js";
export { traceExport, type TraceExport } from "./trace-export.js";
export type { RequestSpan, RequestSpanOutcome, RequestSpanStart, Tracing } from "./tracing.js";
