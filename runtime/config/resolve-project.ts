import { dirname, isAbsolute, resolve } from "node:path";
import type { ModelParameters, ToolDefinition } from "../core/index.js";
import type { LlamaFarmProject, Model, PromptMessage, Tool } from "../../schema/llamafarm.js";
import { parseDuration } from "./duration.js";
import { ggufLocation } from "./gguf-location.js";
import { resolveCache, resolveSettings } from "./resolve-settings.js";
import type { ResolvedModel, ResolvedProject, RouterMember } from "./resolved-project.js";

/** Builds the frozen, ready-to-run view of a validated project. The schema has filled in every default. */
/** `unavailable`: models that cannot be called, by name, with the reason (an unset environment variable). */
export function resolveProject(
  config: LlamaFarmProject,
  file: string,
  secrets: string[],
  env: Readonly<Record<string, string | undefined>> = {},
  unavailable: ReadonlyMap<string, string> = new Map(),
): ResolvedProject {
  const dir = dirname(file);
  const runtime = config.runtime;
  const prompts = new Map((config.prompts ?? []).map((p) => [p.name, p.messages]));
  const defaultModel =
    runtime.default_model ?? runtime.models.find((m) => m.default === true)?.name ?? runtime.models[0]!.name;

  const models = new Map<string, ResolvedModel>();
  for (const model of runtime.models) {
    models.set(model.name, resolveModel(model, config, prompts, dir, model.name === defaultModel, env, unavailable.get(model.name)));
  }
  return deepFreeze({
    file,
    dir,
    namespace: config.namespace,
    name: config.name,
    key: `${config.namespace}/${config.name}`,
    defaultModel,
    models,
    fallbacks: runtime.fallbacks ?? [],
    maxToolIterations: runtime.max_tool_iterations ?? 10,
    ...resolveSettings(config, dir),
    raw: config,
    secrets: secrets.filter((s) => s.length >= 6),
  });
}

function resolveModel(
  model: Model,
  config: LlamaFarmProject,
  prompts: Map<string, PromptMessage[]>,
  dir: string,
  isDefault: boolean,
  env: Readonly<Record<string, string | undefined>>,
  unavailable: string | undefined,
): ResolvedModel {
  const runtime = config.runtime;
  const timeouts = { ...runtime.timeouts, ...model.timeouts };
  const retries = { ...runtime.retries, ...model.retries };
  const breaker = { ...runtime.circuit_breaker, ...model.circuit_breaker };
  // As LlamaFarm does: a model that names no prompt set gets every set, in file order.
  const promptNames = model.prompt !== undefined ? [model.prompt] : (model.prompts ?? [...prompts.keys()]);
  const { stop, ...rest } = model.model_api_parameters ?? {};
  const parameters: ModelParameters = { ...rest };
  if (stop !== undefined) parameters.stop = typeof stop === "string" ? [stop] : stop;
  const gguf = model.provider === "llamacpp" && model.model !== undefined ? ggufLocation(model.model, dir, env) : undefined;
  const modelId = gguf?.path ?? model.model ?? "";

  return {
    name: model.name,
    description: model.description,
    provider: model.provider,
    modelId,
    ggufSource: gguf?.source,
    baseUrl: model.base_url ?? lemonadeUrl(model),
    apiKey: model.api_key,
    headers: model.headers ?? {},
    parameters,
    extraBody: model.extra_body,
    promptMessages: promptNames.flatMap((name) => prompts.get(name) ?? []),
    promptsMode: model.prompts_mode ?? "api_supplement",
    tools: (model.tools ?? []).map(toolDefinition),
    toolsMode: model.tools_mode ?? "api_supplement",
    toolCallStrategy: model.tool_call_strategy ?? "native_api",
    mcpServers: model.mcp_servers,
    fallbacks: model.fallbacks ?? [],
    router: model.router && {
      strategy: model.router.strategy,
      members: model.router.models.map((m): RouterMember => (typeof m === "string" ? { model: m } : m)),
      tolerance: model.router.tolerance ?? 0.1,
      expectedOutputTokens: model.router.expected_output_tokens ?? 256,
    },
    limits: {
      rpm: model.limits?.rpm,
      tpm: model.limits?.tpm,
      maxConcurrent: model.limits?.max_concurrent,
      minIntervalMs: parseDuration(model.limits?.min_interval),
      maxWaitMs: parseDuration(model.limits?.max_wait ?? 0),
    },
    pricing: model.pricing && { inputPer1k: model.pricing.input_per_1k, outputPer1k: model.pricing.output_per_1k },
    contextWindow: model.context_window,
    capabilities: {
      tools: model.capabilities?.tools ?? true,
      vision: model.capabilities?.vision ?? false,
      json: model.capabilities?.json ?? true,
      embeddings: model.capabilities?.embeddings ?? false,
    },
    timeouts: {
      connectMs: parseDuration(timeouts.connect!),
      firstTokenMs: parseDuration(timeouts.first_token!),
      idleMs: parseDuration(timeouts.idle!),
      totalMs: parseDuration(timeouts.total!),
    },
    retries: {
      maxAttempts: retries.max_attempts!,
      initialBackoffMs: parseDuration(retries.initial_backoff!),
      maxBackoffMs: parseDuration(retries.max_backoff!),
      maxRetryAfterMs: parseDuration(retries.max_retry_after!),
    },
    circuitBreaker: {
      failureThreshold: breaker.failure_threshold!,
      failureRate: breaker.failure_rate,
      windowMs: parseDuration(breaker.window!),
      minRequests: breaker.min_requests!,
      cooldownMs: parseDuration(breaker.cooldown!),
    },
    budget: model.budget && { perRequest: model.budget.per_request, daily: model.budget.daily, monthly: model.budget.monthly },
    cache: resolveCache(config.cache, model.cache),
    llamacpp:
      model.provider === "llamacpp"
        ? {
            maxContexts: model.llamacpp?.max_contexts ?? 1,
            gpuLayers: model.llamacpp?.gpu_layers === undefined ? undefined : (model.llamacpp.gpu_layers as number | "auto"),
            threads: model.llamacpp?.threads,
          }
        : undefined,
    isDefault,
    unavailable,
  };
}

/** LlamaFarm's `lemonade.port`: a Lemonade Server per model, on its own port of this machine. */
function lemonadeUrl(model: Model): string | undefined {
  const port = model.lemonade?.port;
  return model.provider === "lemonade" && port !== undefined ? `http://localhost:${port}/api/v1` : undefined;
}

/** Both shapes the file may use (LlamaFarm's flat one, OpenAI's `function` one) as one definition. */
function toolDefinition(tool: Tool): ToolDefinition {
  const source = tool.function ?? tool;
  return {
    name: source.name!,
    ...(source.description === undefined ? {} : { description: source.description }),
    parameters: source.parameters ?? { type: "object", properties: {} },
  };
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return value;
  if (value instanceof Map) {
    for (const v of value.values()) deepFreeze(v);
    // A frozen Map can still be mutated through its methods; block them.
    const map = value as Map<unknown, unknown>;
    map.set = map.delete = map.clear = () => {
      throw new TypeError("the loaded config is read-only");
    };
  } else {
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return Object.freeze(value);
}
