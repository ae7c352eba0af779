import { createHash } from "node:crypto";
import { resolve } from "node:path";
import type { ResolvedModel, ResolvedProject } from "./config/index.js";
import type { ChatRequest, ChatRun } from "./chat-request.js";
import { configuredAdapter, type ConfiguredCallContext } from "./configured-model.js";
import {
  LfError,
  systemClock,
  systemRandom,
  type Clock,
  type ModelAdapter,
  type ModelCallOptions,
  type Random,
  type RequestPreview,
  type StreamPart,
  type Usage,
} from "./core/index.js";
import { LazyAdapter } from "./providers/lazy-adapter.js";
import {
  CircuitBreaker,
  RateLimiter,
  candidateChain,
  estimateCost,
  requestFeatures,
  executeWithFallback,
  explainRoute,
  modelStateKeys,
  routeRequest,
  type RoutableModel,
  type RouteAttempt,
  type RouteExplanation,
  type RouteResult,
  type RouterSpec,
  type RoutingEventListener,
} from "./routing/index.js";
import { MemoryStateStore, type StateStore } from "./state/index.js";
import { modelPrice, trackUsage, type BudgetBreach, type ProjectUsage } from "./usage/index.js";
// Not tools/index.js: the MCP SDK loads only when a tool server is first used.
import { McpPool } from "./lazy-mcp-pool.js";
import type { McpServerConfig } from "./tools/mcp-server-config.js";
import { didYouMean, parseDuration } from "./config/index.js";

export interface RuntimeOptions {
  env?: Readonly<Record<string, string | undefined>>;
  clock?: Clock;
  random?: Random;
  /** Shared counters; several runtimes (config reloads, instances via Redis) may share one. */
  store?: StateStore;
  /** MCP sessions; kept across config reloads when the servers are unchanged. */
  mcp?: McpPool;
  /**
   * Provider calls go through this `fetch` instead of pooled undici connections: for a short-lived
   * process (`lf chat`) Node's built-in fetch starts faster; a server keeps the pools.
   */
  fetch?: typeof fetch;
  /** Replaces the provider adapters (tests use it to count calls). */
  adapterFor?: (model: ResolvedModel) => ModelAdapter;
  onEvent?: RoutingEventListener;
  /** The usage ledger and budgets: every request is recorded and budgets are enforced. */
  usage?: ProjectUsage;
}

export interface ModelInfo {
  name: string;
  description: string | undefined;
  provider: string | undefined;
  modelId: string | undefined;
  isDefault: boolean;
  router: string | undefined;
}

/**
 * One loaded project, ready to answer. The composition root: the only place that picks concrete
 * providers, the state store and the MCP pool. A config reload builds a new Runtime; requests already
 * running keep the one they started on.
 */
export class Runtime {
  readonly project: ResolvedProject;
  readonly mcp: McpPool;
  readonly store: StateStore;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly breaker: CircuitBreaker;
  private readonly limiter: RateLimiter;
  private readonly adapters = new Map<string, ModelAdapter>();
  private readonly routables = new Map<string, Omit<RoutableModel, "adapter">>();
  private readonly ownsMcp: boolean;
  private readonly onEvent: RoutingEventListener | undefined;
  private readonly requiredServers: ReadonlySet<string>;
  private readonly adapterFor: (model: ResolvedModel) => ModelAdapter;
  readonly usage: ProjectUsage | undefined;

  constructor(project: ResolvedProject, options: RuntimeOptions = {}) {
    this.project = project;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? systemRandom;
    this.store = options.store ?? new MemoryStateStore({ clock: this.clock });
    this.onEvent = options.onEvent;
    this.usage = options.usage;
    this.breaker = new CircuitBreaker(this.store, this.onEvent);
    this.limiter = new RateLimiter(this.store, this.clock);
    this.ownsMcp = options.mcp === undefined;
    this.requiredServers = requiredMcpServers(project);
    this.mcp = options.mcp ?? new McpPool(mcpServerConfigs(project), { env: options.env ?? process.env, clock: this.clock });
    const env = options.env ?? process.env;
    const dependencies = options.fetch ? { fetch: options.fetch } : {};
    this.adapterFor = options.adapterFor ?? ((model) => new LazyAdapter(adapterSettings(model), env, dependencies));
  }

  /** The named models, routers included, in file order. */
  models(): ModelInfo[] {
    return [...this.project.models.values()].map((m) => ({
      name: m.name,
      description: m.description,
      provider: m.provider,
      modelId: m.router ? undefined : m.modelId,
      isDefault: m.isDefault,
      router: m.router?.strategy,
    }));
  }

  /** A model by name, or a `model_not_found` error that lists what exists. */
  model(name: string | undefined): ResolvedModel {
    const wanted = name ?? this.project.defaultModel;
    const model = this.project.models.get(wanted);
    if (model) return model;
    const names = [...this.project.models.keys()];
    const near = didYouMean(wanted, names);
    throw new LfError(
      "model_not_found",
      `Project ${this.project.namespace}/${this.project.name} has no model "${wanted}"${near ? ` (did you mean "${near}"?)` : ""}. Models: ${names.join(", ")}.`,
      { details: { models: names } },
    );
  }

  /** The provider adapter of a plain (non-router) model, created on first use and kept. */
  adapter(name: string): ModelAdapter {
    let adapter = this.adapters.get(name);
    if (!adapter) {
      const model = this.model(name);
      if (model.router) throw new LfError("invalid_request", `"${name}" is a router, not a model with a provider`);
      adapter = this.adapterFor(model);
      this.adapters.set(name, adapter);
    }
    return adapter;
  }

  /** Answers a request: routes it, falls back along the chain, streams the parts. */
  async chat(request: ChatRequest): Promise<ChatRun> {
    const requested = this.model(request.model);
    const options = this.callOptions(request);
    const upstream: RequestTrace = { ms: 0, toolsMissing: [] };
    const context: ConfiguredCallContext = {
      variables: request.variables ?? {},
      mcp: this.mcp.serverNames().length > 0 ? this.mcp : undefined,
      maxToolIterations: this.project.maxToolIterations,
      requiredServers: this.requiredServers,
      onBinding: (model, servers) => {
        for (const [server, problem] of servers) {
          if (problem !== undefined && !upstream.toolsMissing.includes(server)) upstream.toolsMissing.push(server);
          this.onEvent?.({ type: "tools", model, server, ...(problem === undefined ? {} : { problem }) });
        }
      },
    };
    const lookup = new PerRequestModels(this.project, (model) => ({
      ...this.routable(model),
      adapter: configuredAdapter(model, timedAdapter(this.adapter(model.name), upstream), context),
    }));

    let first: RoutableModel[];
    let skipped: RouteAttempt[] = [];
    let features;
    if (requested.router) {
      const decision = await routeRequest(routerSpec(requested), lookup, options, this.routeDeps(), {
        ...(request.maxCost === undefined ? {} : { maxCost: request.maxCost }),
        ...(request.maxLatencyMs === undefined ? {} : { maxLatencyMs: request.maxLatencyMs }),
      });
      first = decision.ordered;
      skipped = decision.skipped;
      features = decision.features;
    } else {
      first = [lookup.get(requested.name)!];
    }
    let candidates = candidateChain(first, [requested.fallbacks, ...first.map((m) => this.project.models.get(m.name)!.fallbacks), this.project.fallbacks].filter((l) => l.length > 0), lookup);
    const startedAt = this.clock.now();
    if (this.usage?.budget.limitsAnything === true) {
      const f = features ?? requestFeatures(options);
      const check = await this.usage.budget.check(
        candidates.map((c) => c.name),
        (name) => estimateCost(lookup.get(name)!, f.promptTokens, f.expectedOutputTokens),
      );
      for (const over of check.passedOver) {
        skipped.push({ model: over.model, outcome: "skipped", skipped: "budget", durationMs: 0, detail: over.breaches.map(describeBreach).join("; ") });
      }
      if (!check.ok) {
        await this.usage
          .record({
            project: this.project,
            requestedModel: requested.name,
            messages: request.messages,
            answerChars: 0,
            startedAt,
            endedAt: this.clock.now(),
            error: check.error,
            ...(request.sessionId ? { sessionId: request.sessionId } : {}),
            ...(request.requestId ? { requestId: request.requestId } : {}),
          })
          .catch(() => undefined);
        throw check.error;
      }
      candidates = check.models.map((name) => lookup.get(name)!);
    }
    const totalTimeoutMs = Math.max(...candidates.map((c) => c.timeouts.total_ms ?? 0), 0) || undefined;
    const result = executeWithFallback(
      {
        candidates,
        options,
        skipped,
        ...(features ? { features } : {}),
        ...(totalTimeoutMs ? { totalTimeoutMs } : {}),
        ...(request.stream === false ? { holdOutput: true } : {}),
      },
      { store: this.store, clock: this.clock, random: this.random, breaker: this.breaker, limiter: this.limiter, ...(this.onEvent ? { onEvent: this.onEvent } : {}) },
    );
    const run = new RoutedRun(requested.name, this.project, result, upstream, result, () => result.collect());
    const usage = this.usage;
    if (usage === undefined) return run;
    const clock = this.clock;
    // The same run, recorded in the ledger (and its cost added to the budgets) when it ends.
    const track = {
      project: this.project,
      run,
      messages: request.messages,
      now: () => clock.now(),
      startedAt,
      ...(request.sessionId ? { sessionId: request.sessionId } : {}),
      ...(request.requestId ? { requestId: request.requestId } : {}),
      onError: () => undefined,
    };
    return new RoutedRun(
      requested.name,
      this.project,
      result,
      upstream,
      { [Symbol.asyncIterator]: () => trackUsage(usage, track) },
      () => trackUsage(usage, track).collect(() => result.collect()),
    );
  }

  /** For a router: every member, its score and why it would be chosen; no model is called. */
  async explain(request: ChatRequest): Promise<RouteExplanation | undefined> {
    const model = this.model(request.model);
    if (!model.router) return undefined;
    const lookup = new PerRequestModels(this.project, (m) => ({ ...this.routable(m), adapter: this.adapter(m.name) }));
    return explainRoute(routerSpec(model), lookup, this.callOptions(request), this.routeDeps(), {
      ...(request.maxCost === undefined ? {} : { maxCost: request.maxCost }),
      ...(request.maxLatencyMs === undefined ? {} : { maxLatencyMs: request.maxLatencyMs }),
    });
  }

  /**
   * What a request would send, without sending it: the model a router would pick first, and that
   * model's HTTP request (prompts and parameters applied, secrets masked). MCP tools are not listed,
   * since listing them would start the servers.
   */
  async preview(request: ChatRequest): Promise<{ model: ResolvedModel; options: ModelCallOptions; http: RequestPreview | undefined }> {
    let model = this.model(request.model);
    if (model.router) {
      const explanation = await this.explain(request);
      const chosen = explanation?.candidates.find((c) => c.chosen) ?? explanation?.candidates.find((c) => c.rank === 1);
      if (!chosen) throw new LfError("all_models_failed", `Router "${model.name}" has no member that can take this request.`);
      model = this.model(chosen.model);
    }
    const provider = this.adapter(model.name);
    if (provider instanceof LazyAdapter) await provider.load();
    const adapter = configuredAdapter(model, provider, { variables: request.variables ?? {}, mcp: undefined, maxToolIterations: 0 });
    const options = this.callOptions(request);
    return { model, options, http: adapter.preview?.(options) };
  }

  /** Circuit state of a model, for status and readiness. */
  breakerState(name: string) {
    const model = this.model(name);
    return this.breaker.peek({ ...this.routable(model), adapter: undefined as never });
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.adapters.values()].map((a) => a.close?.()));
    if (this.ownsMcp) await this.mcp.close();
  }

  private callOptions(request: ChatRequest): ModelCallOptions {
    return {
      messages: request.messages,
      parameters: request.parameters ?? {},
      ...(request.tools && request.tools.length > 0 ? { tools: request.tools } : {}),
      ...(request.toolChoice ? { toolChoice: request.toolChoice } : {}),
      ...(request.responseFormat ? { responseFormat: request.responseFormat } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
    };
  }

  private routeDeps() {
    return { store: this.store, clock: this.clock, random: this.random, breaker: this.breaker, limiter: this.limiter };
  }

  /** Routing's view of a model (policies only); the adapter is bound per request. */
  private routable(model: ResolvedModel): Omit<RoutableModel, "adapter"> {
    let routable = this.routables.get(model.name);
    if (routable) return routable;
    const scope = `${this.project.namespace}/${this.project.name}/${model.name}`;
    routable = {
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
    this.routables.set(model.name, routable);
    return routable;
  }
}

/** What one request's calls leave for its answer: time awaiting providers, MCP servers that could not be used. */
interface RequestTrace {
  ms: number;
  toolsMissing: string[];
}

/** A routed request as the server and the CLI see it: what `executeWithFallback` knows so far, and its parts. */
class RoutedRun implements ChatRun {
  constructor(
    readonly requestedModel: string,
    private readonly project: ResolvedProject,
    private readonly result: RouteResult,
    private readonly upstream: RequestTrace,
    private readonly parts: AsyncIterable<StreamPart>,
    private readonly collected: () => Promise<StreamPart[]>,
  ) {}

  collect(): Promise<StreamPart[]> {
    return this.collected();
  }

  get servedBy(): string | undefined {
    return this.result.servedBy;
  }

  get provider(): string | undefined {
    const served = this.result.servedBy;
    return served === undefined ? undefined : this.project.models.get(served)?.provider;
  }

  get attempts(): readonly RouteAttempt[] {
    return this.result.attempts;
  }

  get usage(): Usage | undefined {
    return this.result.usage;
  }

  get toolsMissing(): readonly string[] {
    return this.upstream.toolsMissing;
  }

  get upstreamMs(): number {
    return this.upstream.ms;
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamPart> {
    return this.parts[Symbol.asyncIterator]();
  }
}

/**
 * A provider adapter that adds the time spent awaiting its stream to `upstream`, so the server can
 * report the time `lf` itself added. Time while the reader holds a part is not counted.
 */
function timedAdapter(adapter: ModelAdapter, upstream: { ms: number }): ModelAdapter {
  return {
    provider: adapter.provider,
    modelId: adapter.modelId,
    stream: (options) => timedStream(adapter.stream(options), upstream),
    ...(adapter.collect ? { collect: (options: ModelCallOptions) => timedCollect(() => adapter.collect!(options), upstream) } : {}),
  };
}

async function timedCollect(call: () => Promise<StreamPart[]>, upstream: { ms: number }): Promise<StreamPart[]> {
  const started = performance.now();
  try {
    return await call();
  } finally {
    upstream.ms += performance.now() - started;
  }
}

async function* timedStream(stream: AsyncIterable<StreamPart>, upstream: { ms: number }): AsyncIterable<StreamPart> {
  let waitingSince = performance.now();
  try {
    for await (const part of stream) {
      upstream.ms += performance.now() - waitingSince;
      waitingSince = -1;
      yield part;
      waitingSince = performance.now();
    }
  } finally {
    if (waitingSince >= 0) upstream.ms += performance.now() - waitingSince;
  }
}

/** What a model calls, in a few characters: an edit of any of it gives the model a fresh breaker and latency figures. */
function upstreamFingerprint(model: ResolvedModel): string {
  return createHash("sha256")
    .update(JSON.stringify([model.provider, model.modelId, model.baseUrl ?? "", model.apiKey ?? ""]))
    .digest("hex")
    .slice(0, 12);
}

function describeBreach(b: BudgetBreach): string {
  const whose = b.scope === "project" ? "project" : `model ${b.model}`;
  const what = b.period === "per_request" ? `per-request budget $${b.limit} (estimate $${b.amount.toFixed(4)})` : `${b.period} budget spent ($${b.amount.toFixed(2)} of $${b.limit})`;
  return `${whose} ${what}`;
}

/** YAML `pricing`, else the built-in table for well-known hosted models; local models cost nothing. */
function pricingOf(model: ResolvedModel): { pricing?: { input_per_1k: number; output_per_1k: number } } {
  const price = modelPrice(model);
  return price ? { pricing: { input_per_1k: price.inputPer1k, output_per_1k: price.outputPer1k } } : {};
}

function routerSpec(model: ResolvedModel): RouterSpec {
  const router = model.router!;
  return {
    strategy: router.strategy,
    members: router.members.map((m) => ({ ...m })),
    tolerance: router.tolerance,
    expectedOutputTokens: router.expectedOutputTokens,
  };
}

export function adapterSettings(model: ResolvedModel) {
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

/** The MCP servers marked `required: true`. */
export function requiredMcpServers(project: ResolvedProject): ReadonlySet<string> {
  return new Set((project.raw.mcp?.servers ?? []).filter((s) => s.required === true).map((s) => s.name));
}

export function mcpServerConfigs(project: ResolvedProject): McpServerConfig[] {
  return (project.raw.mcp?.servers ?? []).map((s) => ({
    name: s.name,
    transport: s.transport,
    ...(s.command ? { command: s.command } : {}),
    args: [...(s.args ?? [])],
    ...(s.env ? { env: { ...s.env } } : {}),
    cwd: resolve(project.dir, s.cwd ?? "."),
    ...(s.base_url ? { base_url: s.base_url } : {}),
    ...(s.headers ? { headers: { ...s.headers } } : {}),
    timeout_ms: parseDuration(s.timeout ?? "30s"),
    ...(s.required === true ? { required: true } : {}),
  }));
}

/**
 * The models one request may reach, built on first lookup: a request touches its model, its router's
 * members and its fallbacks, not every model of the project.
 */
class PerRequestModels extends Map<string, RoutableModel> {
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
