import { createHash } from "node:crypto";
import type { ResolvedModel, ResolvedProject } from "./config/index.js";
import { modelStateKeys, type RoutableModel, type RouterSpec } from "./routing/index.js";
import type { AdapterSettings } from "./providers/adapter-settings.js";
import { modelPrice } from "./usage/index.js";

/**
 * The views of a resolved model that the layers below take: routing's (policies in its own terms,
 * counters named by project) and the providers' (what to call and how). Built here once, so no layer
 * reads the config's shape.
 */
export function routableView(project: ResolvedProject, model: ResolvedModel): Omit<RoutableModel, "adapter"> {
  const scope = `${project.key}/${model.name}`;
  return {
    name: model.name,
    stateKeys: modelStateKeys(scope, `${scope}#${upstreamFingerprint(model)}`),
    ...(model.unavailable === undefined ? {} : { unavailable: model.unavailable }),
    capabilities: model.capabilities,
    ...(model.contextWindow === undefined ? {} : { contextWindow: model.contextWindow }),
    ...pricingOf(model),
    limits: {
      ...(model.limits.rpm === undefined ? {} : { rpm: model.limits.rpm }),
      ...(model.limits.tpm === undefined ? {} : { tpm: model.limits.tpm }),
      ...(model.limits.maxConcurrent === undefined ? {} : { max_concurrent: model.limits.maxConcurrent }),
      ...(model.limits.minIntervalMs === undefined ? {} : { min_interval_ms: model.limits.minIntervalMs }),
      max_wait_ms: model.limits.maxWaitMs,
    },
    retries: {
      max_attempts: model.retries.maxAttempts,
      initial_backoff_ms: model.retries.initialBackoffMs,
      max_backoff_ms: model.retries.maxBackoffMs,
      max_retry_after_ms: model.retries.maxRetryAfterMs,
    },
    timeouts: {
      connect_ms: model.timeouts.connectMs,
      first_token_ms: model.timeouts.firstTokenMs,
      idle_ms: model.timeouts.idleMs,
      total_ms: model.timeouts.totalMs,
    },
    circuitBreaker: {
      failure_threshold: model.circuitBreaker.failureThreshold,
      ...(model.circuitBreaker.failureRate === undefined ? {} : { failure_rate: model.circuitBreaker.failureRate }),
      window_ms: model.circuitBreaker.windowMs,
      min_requests: model.circuitBreaker.minRequests,
      cooldown_ms: model.circuitBreaker.cooldownMs,
    },
  };
}

/** What a model calls, in a few characters: an edit of any of it gives the model a fresh breaker and latency figures. */
function upstreamFingerprint(model: ResolvedModel): string {
  return createHash("sha256")
    .update(JSON.stringify([model.provider, model.modelId, model.baseUrl ?? "", model.apiKey ?? ""]))
    .digest("hex")
    .slice(0, 12);
}

/** YAML `pricing`, else the built-in table for well-known hosted models; local models cost nothing. */
function pricingOf(model: ResolvedModel): { pricing?: { input_per_1k: number; output_per_1k: number } } {
  const price = modelPrice(model);
  return price ? { pricing: { input_per_1k: price.inputPer1k, output_per_1k: price.outputPer1k } } : {};
}

export function routerSpec(model: ResolvedModel): RouterSpec {
  const router = model.router!;
  return {
    strategy: router.strategy,
    members: router.members.map((m) => ({ ...m })),
    tolerance: router.tolerance,
    expectedOutputTokens: router.expectedOutputTokens,
  };
}

export function adapterSettings(model: ResolvedModel): AdapterSettings {
  return {
    provider: model.provider!,
    modelId: model.modelId,
    ...(model.baseUrl ? { baseUrl: model.baseUrl } : {}),
    ...(model.apiKey ? { apiKey: model.apiKey } : {}),
    headers: { ...model.headers },
    ...(model.extraBody ? { extraBody: { ...model.extraBody } } : {}),
    ...(model.llamacpp ? { llamacpp: { ...model.llamacpp } } : {}),
  };
}

/**
 * The models one request may reach, built on first lookup: a request touches its model, its router's
 * members and its fallbacks, not every model of the project.
 */
export class PerRequestModels extends Map<string, RoutableModel> {
  constructor(
    private readonly project: ResolvedProject,
    private readonly build: (model: ResolvedModel) => RoutableModel,
  ) {
    super();
  }

  override get(name: string): RoutableModel | undefined {
    let model = super.get(name);
    if (model === undefined) {
      const resolved = this.project.models.get(name);
      if (resolved === undefined || resolved.router) return undefined;
      model = this.build(resolved);
      super.set(name, model);
    }
    return model;
  }

  override has(name: string): boolean {
    return this.get(name) !== undefined;
  }
}

