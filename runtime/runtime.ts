import type { ResolvedModel, ResolvedProject } from "./config/index.js";
import type { ChatRequest, ChatRun } from "./chat-request.js";
import { configuredAdapter, type ConfiguredCallContext } from "./configured-model.js";
import {
  LfError,
  systemClock,
  systemRandom,
  type ChatMessage,
  type Clock,
  type ModelAdapter,
  type ModelCallOptions,
  type Random,
  type RequestPreview,
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
  routeRequest,
  stateKeysOf,
  type RoutableModel,
  type RouteAttempt,
  type RequestFeatures,
  type RouteExplanation,
  type RoutingEventListener,
} from "./routing/index.js";
import { MemoryStateStore, type StateStore } from "./state/index.js";
import { trackUsage, type BudgetBreach, type ProjectUsage } from "./usage/index.js";
// Not tools/index.js: the MCP SDK loads only when a tool server is first used.
import { McpPool } from "./lazy-mcp-pool.js";
import { adapterSettings, PerRequestModels, routableView, routerSpec } from "./model-views.js";
import { RoutedRun, timedAdapter, type RequestTrace } from "./routed-run.js";
import { didYouMean } from "./config/index.js";
import { ReplayedRun, ResponseCache, type CachedAnswer } from "./cache/index.js";
import { embeddingAdapter, wrongKind, type EmbeddingRequest } from "./embedding-run.js";
import type { ModelInfo, RuntimeOptions } from "./runtime-options.js";

export type { ModelInfo, RuntimeOptions } from "./runtime-options.js";

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
  private readonly cache: ResponseCache | undefined;

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
    this.requiredServers = project.requiredMcpServers;
    this.mcp = options.mcp ?? new McpPool(project.mcpServers, { env: options.env ?? process.env, clock: this.clock });
    const env = options.env ?? process.env;
    const dependencies = options.fetch ? { fetch: options.fetch } : {};
    this.adapterFor = options.adapterFor ?? ((model) => new LazyAdapter(adapterSettings(model), env, dependencies));
    this.cache = "cache" in options ? options.cache : ResponseCache.forProject(project, this.clock);
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
      `Project ${this.project.key} has no model "${wanted}"${near ? ` (did you mean "${near}"?)` : ""}. Models: ${names.join(", ")}.`,
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

  /** Answers a request: from the response cache, or routed, falling back along the chain, streaming the parts. */
  async chat(request: ChatRequest): Promise<ChatRun> {
    const requested = this.model(request.model);
    if (requested.capabilities.embeddings) throw wrongKind(requested.name, "an embeddings model", "chat", "POST /v1/embeddings");
    const plan = this.cache?.plan(requested, request, request.cache);
    if (plan === undefined) return this.route(requested, request);
    const hit = await plan.find();
    if (hit !== undefined) return this.replay(requested, request, hit);
    return plan.keep(await this.route(requested, request));
  }

  /** A kept answer, recorded in the ledger as a hit: no cost, the cost it saved. */
  private replay(requested: ResolvedModel, request: ChatRequest, hit: CachedAnswer): ChatRun {
    const run = new ReplayedRun(requested.name, hit);
    const usage = this.usage;
    if (usage === undefined) return run;
    const track = { ...this.trackOptions(request, this.clock.now()), run };
    return new ReplayedRun(requested.name, hit, { [Symbol.asyncIterator]: () => trackUsage(usage, track) }, () => trackUsage(usage, track).collect(() => run.collect()));
  }

  private trackOptions(request: TrackedRequest, startedAt: number) {
    const clock = this.clock;
    return {
      project: this.project,
      messages: request.messages,
      now: () => clock.now(),
      startedAt,
      ...(request.sessionId ? { sessionId: request.sessionId } : {}),
      ...(request.requestId ? { requestId: request.requestId } : {}),
      ...(request.keyName ? { keyName: request.keyName } : {}),
      ...(request.onRecord ? { onRecord: request.onRecord } : {}),
      onError: () => undefined,
    };
  }

  private async route(requested: ResolvedModel, request: ChatRequest): Promise<ChatRun> {
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
    // An embeddings model in a chat's router or fallback chain cannot answer it.
    return this.execute(requested, first, lookup, { request, options, upstream, skipped, features, fits: (m) => !m.capabilities.embeddings });
  }

  /**
   * Embeds a batch of inputs with an embeddings model, through the same chain as a chat: its fallbacks
   * (the embeddings models among them), limits, breakers, retries, budgets and the ledger. The run's
   * `collect()` holds the answer (`embeddingsOf`).
   */
  async embed(request: EmbeddingRequest): Promise<ChatRun> {
    const requested = this.model(request.model);
    if (!requested.capabilities.embeddings) throw wrongKind(requested.name, "not an embeddings model", "embeddings", "capabilities: { embeddings: true }");
    const messages = request.inputs.map((input): ChatMessage => ({ role: "user", content: typeof input === "string" ? input : input.join(" ") }));
    const options: ModelCallOptions = { messages, parameters: {}, ...(request.signal ? { signal: request.signal } : {}) };
    const embed = { inputs: request.inputs, ...(request.dimensions === undefined ? {} : { dimensions: request.dimensions }) };
    const lookup = new PerRequestModels(this.project, (model) => ({ ...this.routable(model), adapter: embeddingAdapter(this.adapter(model.name), embed) }));
    return this.execute(requested, [lookup.get(requested.name)!], lookup, {
      request: { ...request, messages, stream: false },
      options,
      upstream: { ms: 0, toolsMissing: [] },
      skipped: [],
      // No output tokens: budgets and limits estimate an embeddings call by its input alone.
      features: requestFeatures(options, 0),
      fits: (m) => m.capabilities.embeddings,
    });
  }

  /** Budgets, then the fallback chain; the run is recorded in the ledger when it ends. */
  private async execute(requested: ResolvedModel, first: RoutableModel[], lookup: PerRequestModels, plan: ExecutionPlan): Promise<ChatRun> {
    const { request, options, upstream, skipped } = plan;
    let candidates = candidateChain(first, [requested.fallbacks, ...first.map((m) => this.project.models.get(m.name)!.fallbacks), this.project.fallbacks].filter((l) => l.length > 0), lookup);
    candidates = candidates.filter((c) => plan.fits(this.project.models.get(c.name)!));
    const startedAt = this.clock.now();
    if (this.usage?.budget.limitsAnything === true) {
      const f = plan.features ?? requestFeatures(options);
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
            ...(request.keyName ? { keyName: request.keyName } : {}),
          })
          .catch(() => undefined);
        throw check.error;
      }
      candidates = check.models.map((name) => lookup.get(name)!);
    }
    const totalTimeoutMs = Math.max(...candidates.map((c) => c.timeouts.total_ms ?? 0), 0) || undefined;
    const features = plan.features;
    const result = executeWithFallback(
      {
        candidates,
        options,
        skipped,
        ...(features ? { features } : {}),
        ...(totalTimeoutMs ? { totalTimeoutMs } : {}),
        ...(request.stream === false ? { holdOutput: true } : {}), ...(request.trace ? { trace: request.trace } : {}),
      },
      { store: this.store, clock: this.clock, random: this.random, breaker: this.breaker, limiter: this.limiter, ...(this.onEvent ? { onEvent: this.onEvent } : {}) },
    );
    const run = new RoutedRun(requested.name, this.project, result, upstream, result, () => result.collect(), startedAt);
    const usage = this.usage;
    if (usage === undefined) return run;
    // The same run, recorded in the ledger (and its cost added to the budgets) when it ends.
    const track = { ...this.trackOptions(request, startedAt), run };
    return new RoutedRun(
      requested.name,
      this.project,
      result,
      upstream,
      { [Symbol.asyncIterator]: () => trackUsage(usage, track) },
      () => trackUsage(usage, track).collect(() => result.collect()),
      startedAt,
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

  /** What a model uses now: requests in flight, and this minute's requests and tokens against its limits. */
  async modelLoad(name: string): Promise<{ inFlight: number; rpm: number; tpm: number }> {
    const keys = stateKeysOf({ ...this.routable(this.model(name)), adapter: undefined as never });
    const [inFlight, rpm, tpm] = await Promise.all([this.store.countSlots(keys.inFlight), this.store.peekWindow(keys.rpm, 60_000), this.store.peekWindow(keys.tpm, 60_000)]);
    return { inFlight, rpm: rpm.total, tpm: tpm.total };
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.adapters.values()].map((a) => a.close?.()));
    await this.cache?.close();
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

  /** Routing's view of a model (policies only), built once; the adapter is bound per request. */
  private routable(model: ResolvedModel): Omit<RoutableModel, "adapter"> {
    let routable = this.routables.get(model.name);
    if (routable === undefined) {
      routable = routableView(this.project, model);
      this.routables.set(model.name, routable);
    }
    return routable;
  }
}

/** What the ledger records of a request, besides its run. */
type TrackedRequest = Pick<ChatRequest, "messages" | "stream" | "sessionId" | "requestId" | "keyName" | "onRecord" | "trace">;

interface ExecutionPlan {
  request: TrackedRequest;
  options: ModelCallOptions;
  upstream: RequestTrace;
  skipped: RouteAttempt[];
  features: RequestFeatures | undefined;
  /** Which models of the chain can take this kind of request (chat, or embeddings); the others are left out. */
  fits: (model: ResolvedModel) => boolean;
}

function describeBreach(b: BudgetBreach): string {
  const whose = b.scope === "project" ? "project" : `model ${b.model}`;
  const what = b.period === "per_request" ? `per-request budget $${b.limit} (estimate $${b.amount.toFixed(4)})` : `${b.period} budget spent ($${b.amount.toFixed(2)} of $${b.limit})`;
  return `${whose} ${what}`;
}
