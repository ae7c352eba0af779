import { LfError, type Clock, type ModelCallOptions, type Random } from "../core/index.js";
import type { StateStore } from "../state/index.js";
import { CircuitBreaker } from "./circuit-breaker.js";
import { classifyComplexity, type ComplexityVerdict } from "./classify-complexity.js";
import { constraintMisfit, modelMisfit, type RouteConstraints } from "./model-fit.js";
import { limitKeys, RateLimiter } from "./rate-limiter.js";
import { requestFeatures, type RequestFeatures } from "./request-features.js";
import type { RoutableModel } from "./routable-model.js";
import type { RouteAttempt, SkipReason } from "./route-attempt.js";
import type { RouterSpec } from "./router-spec.js";
import { STRATEGIES, type CandidateStats } from "./strategies/index.js";

export interface RouteDeps {
  store: StateStore;
  clock: Clock;
  random: Random;
  breaker?: CircuitBreaker;
  limiter?: RateLimiter;
}

export interface CandidateExplanation {
  model: string;
  /** Position in the order the executor will try (1 = first), or null when left out. */
  rank: number | null;
  score: number | null;
  reason: string;
  chosen: boolean;
  /** Why the model is left out, or (for circuit_open, probe_in_flight, rate_limited) put last. */
  skipped?: SkipReason;
}

export interface RouteExplanation {
  strategy: RouterSpec["strategy"];
  features: Pick<RequestFeatures, "promptTokens" | "expectedOutputTokens" | "needsTools" | "needsVision" | "needsJson">;
  /** complexity: the tier the request was sorted into. */
  complexity?: ComplexityVerdict;
  candidates: CandidateExplanation[];
}

export interface RouteDecision {
  /** The order to try: the strategy's ranking of the available members, then the busy or broken ones. */
  ordered: RoutableModel[];
  /** Members left out, as attempts for the executor's report. */
  skipped: RouteAttempt[];
  features: RequestFeatures;
  explanation: RouteExplanation;
}

interface Assessed {
  stats: CandidateStats;
  skipped?: { reason: SkipReason; detail: string };
  /** Busy or broken right now: tried after the others. */
  deferred?: { reason: SkipReason; detail: string };
}

/**
 * Orders a router's members for one request. Members that cannot take it (capabilities, context
 * window, `max_cost`, `max_latency`) are left out; members whose circuit is open or that are over
 * their limits go last, so the executor still reaches them (and may wait) when nothing else answers.
 */
export async function routeRequest(
  spec: RouterSpec,
  models: ReadonlyMap<string, RoutableModel>,
  options: ModelCallOptions,
  deps: RouteDeps,
  constraints: RouteConstraints = {},
): Promise<RouteDecision> {
  const features = requestFeatures(options, spec.expectedOutputTokens);
  const breaker = deps.breaker ?? new CircuitBreaker(deps.store);
  const limiter = deps.limiter ?? new RateLimiter(deps.store, deps.clock);
  const assessed = await Promise.all(
    spec.members.map(async (member): Promise<Assessed> => {
      const model = models.get(member.model);
      if (model === undefined) throw new LfError("model_not_found", `The router names "${member.model}", which is not a model.`);
      const keys = limitKeys(model);
      const [inFlight, rpm, tpm, latency, circuit, refusal] = await Promise.all([
        deps.store.countSlots(keys.inFlight),
        deps.store.peekWindow(keys.rpm, 60_000),
        deps.store.peekWindow(keys.tpm, 60_000),
        deps.store.getLatency(keys.latency),
        breaker.peek(model),
        limiter.peek(model, features.promptTokens),
      ]);
      const stats: CandidateStats = { model, member, inFlight, rpmUsed: rpm.total, tpmUsed: tpm.total, latency };
      const misfit = modelMisfit(model, features);
      if (misfit !== undefined) return { stats, skipped: misfit };
      const outside = constraintMisfit(model, features, constraints, latency);
      if (outside !== undefined) return { stats, skipped: outside };
      if (circuit.state === "open") return { stats, deferred: { reason: "circuit_open", detail: "circuit open" } };
      if (circuit.state === "half_open" && circuit.probeInFlight) {
        return { stats, deferred: { reason: "probe_in_flight", detail: "circuit half-open, probe in flight" } };
      }
      if (refusal !== undefined) return { stats, deferred: { reason: "rate_limited", detail: refusal.detail } };
      return { stats };
    }),
  );

  const available = assessed.filter((a) => a.skipped === undefined && a.deferred === undefined);
  const deferred = assessed.filter((a) => a.deferred !== undefined);
  const left = assessed.filter((a) => a.skipped !== undefined);
  const ranked = STRATEGIES[spec.strategy](
    available.map((a) => a.stats),
    { spec, features, clock: deps.clock, random: deps.random },
  );

  const candidates: CandidateExplanation[] = [
    ...ranked.map((r, i) => ({ model: r.model.name, rank: i + 1, score: r.score, reason: r.reason, chosen: i === 0 })),
    ...deferred.map((a, i) => ({
      model: a.stats.model.name,
      rank: ranked.length + i + 1,
      score: null,
      reason: `${a.deferred!.detail}: tried last`,
      chosen: ranked.length === 0 && i === 0,
      skipped: a.deferred!.reason,
    })),
    ...left.map((a) => ({ model: a.stats.model.name, rank: null, score: null, reason: a.skipped!.detail, chosen: false, skipped: a.skipped!.reason })),
  ];
  return {
    ordered: [...ranked.map((r) => r.model), ...deferred.map((a) => a.stats.model)],
    skipped: left.map((a) => ({ model: a.stats.model.name, outcome: "skipped", durationMs: 0, skipped: a.skipped!.reason, detail: a.skipped!.detail })),
    features,
    explanation: {
      strategy: spec.strategy,
      features: {
        promptTokens: features.promptTokens,
        expectedOutputTokens: features.expectedOutputTokens,
        needsTools: features.needsTools,
        needsVision: features.needsVision,
        needsJson: features.needsJson,
      },
      ...(spec.strategy === "complexity" ? { complexity: classifyComplexity(features) } : {}),
      candidates,
    },
  };
}

/** Every member, its score and why it would be chosen or passed over; no model is called. */
export async function explainRoute(
  spec: RouterSpec,
  models: ReadonlyMap<string, RoutableModel>,
  options: ModelCallOptions,
  deps: RouteDeps,
  constraints: RouteConstraints = {},
): Promise<RouteExplanation> {
  return (await routeRequest(spec, models, options, deps, constraints)).explanation;
}
