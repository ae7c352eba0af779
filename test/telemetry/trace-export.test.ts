import { describe, expect, it } from "vitest";
import { parseProject } from "../../runtime/index.js";
import { traceExport } from "../../runtime/telemetry/index.js";

const PROJECT = `version: v1
name: t
namespace: tests
runtime:
  default_model: m
  models:
    - { name: m, provider: openai, model: gpt, base_url: "http://127.0.0.1:1/v1", api_key: test-key }
`;

function telemetryOf(block: string, env: Record<string, string> = {}) {
  const loaded = parseProject(`${PROJECT}${block}`, "/virtual/llamafarm.yaml", { env, dotenv: false });
  return { issues: loaded.issues, telemetry: loaded.project?.telemetry };
}

describe("where traces go", () => {
  it("is off with neither a telemetry block nor an OTEL_ endpoint", () => {
    const { telemetry } = telemetryOf("");
    expect(telemetry).toEqual({ otlpEndpoint: undefined, headers: {}, serviceName: "lf" });
    expect(traceExport(telemetry, {})).toBeUndefined();
  });

  it("takes the project's endpoint as a base URL, or as it is when it names /v1/traces, over the environment", () => {
    const { telemetry, issues } = telemetryOf("telemetry:\n  otlp_endpoint: http://collector:4318/\n  headers: { x-key: \"${env:COLLECTOR_KEY}\" }\n", { COLLECTOR_KEY: "secret-collector-key" });
    expect(issues).toEqual([]);
    expect(traceExport(telemetry, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://elsewhere:4318" })).toEqual({
      url: "http://collector:4318/v1/traces",
      headers: { "x-key": "secret-collector-key" },
      serviceName: "lf",
      scheduleDelayMs: undefined,
    });
    expect(traceExport(telemetryOf("telemetry:\n  otlp_endpoint: https://c.example/v1/traces\n").telemetry, {})?.url).toBe("https://c.example/v1/traces");
  });

  it("keeps the collector's header values among the project's secrets", () => {
    const loaded = parseProject(`${PROJECT}telemetry:\n  otlp_endpoint: http://c:4318\n  headers: { x-key: "\${env:COLLECTOR_KEY}" }\n`, "/virtual/llamafarm.yaml", { env: { COLLECTOR_KEY: "secret-collector-key" }, dotenv: false });
    expect(loaded.project?.secrets).toContain("secret-collector-key");
  });

  it("reads the standard variables: the traces endpoint as it is, else the base endpoint with /v1/traces", () => {
    const { telemetry } = telemetryOf("");
    expect(traceExport(telemetry, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318" })?.url).toBe("http://c:4318/v1/traces");
    expect(traceExport(telemetry, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://t:9999/traces" })?.url).toBe("http://t:9999/traces");
    expect(traceExport(telemetry, { OTEL_EXPORTER_OTLP_ENDPOINT: "  " })).toBeUndefined();
    expect(traceExport(telemetry, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_SERVICE_NAME: "gateway", OTEL_BSP_SCHEDULE_DELAY: "250" })).toMatchObject({ serviceName: "gateway", scheduleDelayMs: 250 });
  });

  it("is off with OTEL_SDK_DISABLED=true, whatever is configured", () => {
    const { telemetry } = telemetryOf("telemetry:\n  otlp_endpoint: http://c:4318\n");
    expect(traceExport(telemetry, { OTEL_SDK_DISABLED: "true" })).toBeUndefined();
  });

  it("reports an endpoint that is not an http(s) URL, and an unknown field, at their line and column", () => {
    const { issues } = telemetryOf("telemetry:\n  otlp_endpoint: localhost:4318\n  sampler: always\n");
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ severity: "error", path: "telemetry.otlp_endpoint", line: 9, column: 18 }),
        expect.objectContaining({ severity: "error", line: 10, column: 3 }),
      ]),
    );
  });
});
