import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { LfError, textOf, type ChatMessage, type ChatRun, type ResolvedModel, type RoutingEvent, type Runtime, type Usage } from "../index.js";
import { estimateTokens } from "../routing/index.js";
import type { BreakerState } from "../state/index.js";
import { costOf, modelPrice, type ModelPrice } from "../usage/index.js";
import { ApiError } from "../wires/api-error.js";
import type { DecodedChat } from "../wires/chat-wire.js";
import type { ProjectRegistry } from "./project-registry.js";
import type { RequestContext } from "./request-context.js";

/** Seconds: from a cached answer in milliseconds to a model that takes minutes. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** Seconds: what `lf` itself adds is meant to stay well under a millisecond. */
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
const BREAKER_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

/** What the chat handler knows of an answer once it has ended. */
export interface AnswerFigures {
  ok: boolean;
  /** Waiting on tools and on a slow client. */
  waitedMs: number;
  /** `performance.now()` when the first text or tool call arrived. */
  firstAt: number | undefined;
  /** Characters of answer, for estimating tokens when the provider reported none. */
  chars: number;
  /** A non-streaming answer carries the usage it was sent. */
  usage?: Usage | undefined;
}

type CounterChild = ReturnType<Counter["labels"]>;
type HistogramChild = ReturnType<Histogram["labels"]>;
type GaugeChild = ReturnType<Gauge["labels"]>;

/**
 * One counter series. Increments add up in a plain number and reach prom-client when it collects,
 * at each scrape: a request pays an addition, not a label hash.
 */
class Tally {
  pending = 0;
  constructor(private readonly child: CounterChild) {}

  flush(): void {
    if (this.pending === 0) return;
    this.child.inc(this.pending);
    this.pending = 0;
  }
}

/** The series of one model of one project, made on first use and kept. */
class ModelSeries {
  private readonly outcomes = new Map<string, [Tally, Tally]>();
  readonly duration: [HistogramChild, HistogramChild];
  readonly firstToken: [HistogramChild, HistogramChild];
  readonly upstream: HistogramChild;
  readonly overhead: HistogramChild;
  readonly fallbacks: Tally;
  readonly retries: Tally;
  readonly cost: Tally;
  /** Reported, then estimated. */
  readonly inputTokens: [Tally, Tally];
  readonly outputTokens: [Tally, Tally];
  private breakerChild: GaugeChild | undefined;

  constructor(
    private readonly m: GatewayMetrics,
    private readonly project: string,
    private readonly model: string,
  ) {
    this.duration = [m.duration.labels(project, model, "false"), m.duration.labels(project, model, "true")];
    this.firstToken = [m.firstToken.labels(project, model, "false"), m.firstToken.labels(project, model, "true")];
    this.upstream = m.upstream.labels(project, model);
    this.overhead = m.overhead.labels(project, model);
    this.fallbacks = m.tally(m.fallbacks, project, model);
    this.retries = m.tally(m.retries, project, model);
    this.cost = m.tally(m.cost, project, model);
    this.inputTokens = [m.tally(m.tokens, project, model, "input", "false"), m.tally(m.tokens, project, model, "input", "true")];
    this.outputTokens = [m.tally(m.tokens, project, model, "output", "false"), m.tally(m.tokens, project, model, "output", "true")];
  }

  requests(outcome: string, stream: boolean): Tally {
    let pair = this.outcomes.get(outcome);
    if (pair === undefined) {
      pair = [this.m.tally(this.m.requests, this.project, this.model, outcome, "false"), this.m.tally(this.m.requests, this.project, this.model, outcome, "true")];
      this.outcomes.set(outcome, pair);
    }
    return pair[stream ? 1 : 0];
  }

  get breaker(): GaugeChild {
    return (this.breakerChild ??= this.m.breaker.labels(this.project, this.model));
  }
}

/** The series of one project. */
export class ProjectSeries {
  /** Requests in flight, read into the gauge at each scrape. */
  inflight = 0;
  readonly inflightGauge: GaugeChild;
  private readonly models = new Map<string, ModelSeries>();

  constructor(
    private readonly m: GatewayMetrics,
    readonly name: string,
  ) {
    const project = name;
    this.inflightGauge = m.inflight.labels(project);
  }

  model(name: string): ModelSeries {
    let series = this.models.get(name);
    if (series === undefined) {
      series = new ModelSeries(this.m, this.name, name);
      this.models.set(name, series);
    }
    return series;
  }
}

/**
 * The gateway's Prometheus metrics, in a registry of its own (several gateways in one process, as in
 * tests, never share a series). Label values come from the config (project and model names) and from
 * our own error codes, never from what a client sends, so the number of series stays bounded. Child
 * series are made once per label set and kept; counters and the in-flight gauge are plain numbers
 * until a scrape reads them, so a request costs a few map lookups, additions and four histogram
 * observations.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests: Counter;
  readonly duration: Histogram;
  readonly upstream: Histogram;
  readonly overhead: Histogram;
  readonly firstToken: Histogram;
  readonly tokens: Counter;
  readonly cost: Counter;
  readonly fallbacks: Counter;
  readonly retries: Counter;
  readonly breaker: Gauge;
  readonly inflight: Gauge;
  readonly cache: Counter;
  private readonly cacheTallies = new Map<string, Tally>();
  private readonly projects = new Map<string, ProjectSeries>();
  private readonly tallies = new Map<Counter, Tally[]>();
  private readonly prices = new WeakMap<ResolvedModel, ModelPrice | null>();
  private projectsToRead: ProjectRegistry | undefined;

  constructor() {
    const registers = [this.registry];
    const tallies = this.tallies;
    function flushTallies(this: Counter): void {
      for (const tally of tallies.get(this) ?? []) tally.flush();
    }
    this.requests = new Counter({
      name: "lf_requests_total",
      help: "Chat requests that reached a project, by the model that answered (else the one named), outcome (ok or an error code) and stream.",
      labelNames: ["project", "model", "outcome", "stream"],
      registers,
      collect: flushTallies,
    });
    this.duration = new Histogram({
      name: "lf_request_duration_seconds",
      help: "Chat requests from arrival to the last byte sent.",
      labelNames: ["project", "model", "stream"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.upstream = new Histogram({
      name: "lf_upstream_duration_seconds",
      help: "Time spent awaiting providers per request, every attempt included.",
      labelNames: ["project", "model"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.overhead = new Histogram({
      name: "lf_overhead_seconds",
      help: "Time lf added per request: total minus provider time, tool runs and waits on the client.",
      labelNames: ["project", "model"],
      buckets: OVERHEAD_BUCKETS,
      registers,
    });
    this.firstToken = new Histogram({
      name: "lf_time_to_first_token_seconds",
      help: "From the runtime taking the request to the serving model's first text or tool call, whole answers included: the ledger's ttft_ms.",
      labelNames: ["project", "model", "stream"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.tokens = new Counter({
      name: "lf_tokens_total",
      help: "Tokens by direction (input, output); estimated=true when the provider reported none and lf counted about four characters a token.",
      labelNames: ["project", "model", "direction", "estimated"],
      registers,
      collect: flushTallies,
    });
    this.cost = new Counter({
      name: "lf_cost_dollars_total",
      help: "US dollars spent, from the model's pricing or the built-in price table; models with no known price add nothing.",
      labelNames: ["project", "model"],
      registers,
      collect: flushTallies,
    });
    this.fallbacks = new Counter({
      name: "lf_fallbacks_total",
      help: "Requests answered by a model other than their first choice, by the model that answered.",
      labelNames: ["project", "model"],
      registers,
      collect: flushTallies,
    });
    this.retries = new Counter({
      name: "lf_retries_total",
      help: "Calls beyond the first to the same model within one request.",
      labelNames: ["project", "model"],
      registers,
      collect: flushTallies,
    });
    this.cache = new Counter({
      name: "lf_cache_requests_total",
      help: "Chat requests to a model with a response cache, by result: hit (answered from the cache at no cost), miss, bypass.",
      labelNames: ["project", "model", "result"],
      registers,
      collect: flushTallies,
    });
    this.breaker = new Gauge({
      name: "lf_circuit_breaker_state",
      help: "Circuit breaker state per model: 0 closed, 1 half-open, 2 open.",
      labelNames: ["project", "model"],
      registers,
      collect: () => this.readBreakers(),
    });
    this.inflight = new Gauge({
      name: "lf_requests_in_flight",
      help: "Chat requests being answered.",
      labelNames: ["project"],
      registers,
      collect: () => {
        for (const series of this.projects.values()) series.inflightGauge.set(series.inflight);
      },
    });
  }

  /** Routing events of a project's runtimes: circuit state changes move the breaker gauge. */
  readonly onRoutingEvent = (project: string, event: RoutingEvent): void => {
    if (event.type === "breaker") this.series(project).model(event.model).breaker.set(BREAKER_VALUE[event.to]);
  };

  /**
   * Also read every model's circuit from the state store at each scrape: models no request has
   * touched yet show as closed, and a store shared by several instances shows their transitions too.
   */
  follow(registry: ProjectRegistry): void {
    this.projectsToRead = registry;
  }

  /** A chat request has been matched to a project; `ended` must follow, once. */
  started(project: string): ProjectSeries {
    const series = this.series(project);
    series.inflight++;
    return series;
  }

  /**
   * A chat request has ended, however it ended: `error` is what was thrown, if anything; a stream
   * that failed after its first byte has `answer.ok` false and its error in `ctx.failure`.
   */
  ended(project: ProjectSeries, runtime: Runtime, ctx: RequestContext, body: DecodedChat, model: string | undefined, run: ChatRun | undefined, answer: AnswerFigures | undefined, error: unknown): void {
    project.inflight--;
    const series = project.model(run?.servedBy ?? run?.requestedModel ?? knownModel(runtime, model));
    const stream = body.stream ? 1 : 0;
    const totalMs = performance.now() - ctx.startedAt;
    series.requests(outcomeOf(ctx, answer, error), body.stream).pending++;
    series.duration[stream].observe(totalMs / 1000);
    // The run's own first-output figure, the one the ledger records; the fold's only without a run.
    const ttftMs = run?.ttftMs ?? (answer?.firstAt === undefined ? undefined : answer.firstAt - ctx.startedAt);
    if (ttftMs !== undefined) series.firstToken[stream].observe(ttftMs / 1000);
    if (run === undefined) return;
    if (run.cache !== undefined) this.cacheTally(project.name, run.requestedModel, run.cache).pending++;

    series.upstream.observe(run.upstreamMs / 1000);
    series.overhead.observe(Math.max(0, totalMs - ctx.clientWaitMs - (answer?.waitedMs ?? 0) - run.upstreamMs) / 1000);
    countAttempts(project, run);
    if (run.servedBy === undefined) return;

    const usage = answer?.usage ?? run.usage ?? estimate(body.request.messages, answer?.chars ?? 0);
    const estimated = usage.estimated === true ? 1 : 0;
    series.inputTokens[estimated].pending += usage.inputTokens;
    series.outputTokens[estimated].pending += usage.outputTokens;
    const price = run.cache === "hit" ? undefined : this.priceOf(runtime, run.servedBy);
    if (price !== undefined) {
      const dollars = costOf(price, usage);
      if (dollars > 0) series.cost.pending += dollars;
    }
  }

  private async readBreakers(): Promise<void> {
    const registry = this.projectsToRead;
    if (registry === undefined) return;
    await Promise.all(
      registry.loaded().map(async (served) => {
        const readiness = await served.readiness().catch(() => undefined);
        if (readiness?.id == null) return;
        const series = this.series(readiness.id);
        for (const model of readiness.models) {
          if (model.circuit !== null) series.model(model.name).breaker.set(BREAKER_VALUE[model.circuit as BreakerState]);
        }
      }),
    );
  }

  /** A counter series, flushed into `counter` at each scrape. */
  tally(counter: Counter, ...labels: string[]): Tally {
    const tally = new Tally(counter.labels(...labels));
    let list = this.tallies.get(counter);
    if (list === undefined) this.tallies.set(counter, (list = []));
    list.push(tally);
    return tally;
  }

  private cacheTally(project: string, model: string, result: string): Tally {
    const key = `${project}\u0000${model}\u0000${result}`;
    let tally = this.cacheTallies.get(key);
    if (tally === undefined) this.cacheTallies.set(key, (tally = this.tally(this.cache, project, model, result)));
    return tally;
  }

  private series(project: string): ProjectSeries {
    let series = this.projects.get(project);
    if (series === undefined) {
      series = new ProjectSeries(this, project);
      this.projects.set(project, series);
    }
    return series;
  }

  private priceOf(runtime: Runtime, name: string): ModelPrice | undefined {
    const model = runtime.project.models.get(name);
    if (model === undefined) return undefined;
    let price = this.prices.get(model);
    if (price === undefined) {
      price = modelPrice(model) ?? null;
      this.prices.set(model, price);
    }
    return price ?? undefined;
  }
}

/** `ok`, or the code of what ended the request (`aborted` when the client went away). */
export function outcomeOf(ctx: RequestContext, answer: AnswerFigures | undefined, thrown: unknown): string {
  if (ctx.clientGone === true) return "aborted";
  const error = thrown ?? (answer?.ok === false ? ctx.failure : undefined);
  if (error === undefined) return "ok";
  if (error instanceof LfError) return error.code;
  if (error instanceof ApiError) return error.code ?? "error";
  return "internal";
}

/** A name from the config, never one a client sent (it could be anything). */
function knownModel(runtime: Runtime, name: string | undefined): string {
  const model = name ?? runtime.project.defaultModel;
  return runtime.project.models.has(model) ? model : "none";
}

/** Fallbacks (first choice did not answer) and retries (second and later calls to one model). */
function countAttempts(project: ProjectSeries, run: ChatRun): void {
  const attempts = run.attempts;
  for (const attempt of attempts) {
    if (attempt.outcome !== "skipped" && attempt.attempt !== undefined && attempt.attempt > 1) project.model(attempt.model).retries.pending++;
  }
  const served = run.servedBy;
  if (served !== undefined && attempts.length > 0 && attempts[0]!.model !== served) project.model(served).fallbacks.pending++;
}

function estimate(messages: readonly ChatMessage[], outputChars: number): Usage {
  let promptChars = 0;
  for (const message of messages) promptChars += textOf(message.content).length;
  return { inputTokens: estimateTokens(promptChars), outputTokens: estimateTokens(outputChars), estimated: true };
}
