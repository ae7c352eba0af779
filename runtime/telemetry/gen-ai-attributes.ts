/**
 * GenAI attribute names, copied from the semantic conventions' incubating set as its package advises
 * (they may be renamed between minor versions; copying pins them, and keeps the large incubating
 * module out of the process).
 */
export const GEN_AI = {
  operationName: "gen_ai.operation.name",
  providerName: "gen_ai.provider.name",
  /** The older name of `gen_ai.provider.name`, still read by many backends. */
  system: "gen_ai.system",
  requestModel: "gen_ai.request.model",
  requestTemperature: "gen_ai.request.temperature",
  requestMaxTokens: "gen_ai.request.max_tokens",
  responseModel: "gen_ai.response.model",
  responseFinishReasons: "gen_ai.response.finish_reasons",
  inputTokens: "gen_ai.usage.input_tokens",
  outputTokens: "gen_ai.usage.output_tokens",
  toolName: "gen_ai.tool.name",
  toolCallId: "gen_ai.tool.call.id",
  toolType: "gen_ai.tool.type",
} as const;

/** lf's own attributes: where the request went inside the gateway. */
export const LF = {
  project: "lf.project",
  requestId: "lf.request_id",
  wire: "lf.wire",
  stream: "lf.stream",
  calls: "lf.calls",
  cache: "lf.cache",
  model: "lf.model",
  attempt: "lf.attempt",
  outcome: "lf.outcome",
  failureAction: "lf.failure.action",
  afterOutput: "lf.after_output",
} as const;
