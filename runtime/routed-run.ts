import type { ResolvedProject } from "./config/index.js";
import type { ChatRun } from "./chat-request.js";
import type { ModelAdapter, ModelCallOptions, StreamPart, Usage } from "./core/index.js";
import type { RouteAttempt, RouteResult } from "./routing/index.js";

/** What one request's calls leave for its answer: time awaiting providers, MCP servers that could not be used. */
export interface RequestTrace {
  ms: number;
  toolsMissing: string[];
}

/** A routed request as the server and the CLI see it: what `executeWithFallback` knows so far, and its parts. */
export class RoutedRun implements ChatRun {
  constructor(
    readonly requestedModel: string,
    private readonly project: ResolvedProject,
    private readonly result: RouteResult,
    private readonly upstream: RequestTrace,
    private readonly parts: AsyncIterable<StreamPart>,
    private readonly collected: () => Promise<StreamPart[]>,
    /** When the runtime took the request, on the executor's clock. */
    private readonly startedAt: number,
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

  get ttftMs(): number | undefined {
    const at = this.result.firstOutputAt;
    return at === undefined ? undefined : Math.max(0, at - this.startedAt);
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
export function timedAdapter(adapter: ModelAdapter, upstream: { ms: number }): ModelAdapter {
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

