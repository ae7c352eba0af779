import type { RoutingEvent } from "../../index.js";
import type { ProjectRegistry } from "../project-registry.js";
import type { LoadOutcome, ServedProject } from "../served-project.js";
import { modelStates } from "./model-state.js";
import { reloadResult } from "./project-config.js";
import { RequestLog, type FinishedRequest } from "./request-log.js";

const REFRESH_MS = 5_000;

/** Someone watching `GET /v1/events`: sees the events of the projects its key may use. */
export interface ConsoleWatcher {
  visible(project: string): boolean;
  send(event: string, data: string): void;
  /** The server is closing: end the stream. */
  end(): void;
}

/**
 * What the console watches: the recent requests, and the events of `GET /v1/events`. The chat
 * pipeline tells it when a request starts and ends; with nobody watching, that is a counter and one
 * array store, and no event is built or serialised.
 */
export class ConsoleHub {
  readonly requests = new RequestLog();
  private readonly watchers = new Set<ConsoleWatcher>();
  private registry: ProjectRegistry | undefined;
  private refresh: NodeJS.Timeout | undefined;

  follow(registry: ProjectRegistry): void {
    this.registry = registry;
    registry.onReload((served, outcome) => this.reloaded(served, outcome));
  }

  get watched(): boolean {
    return this.watchers.size > 0;
  }

  /**
   * Adds a watcher; returns the function that removes it. While anyone watches, every model's state is
   * sent again every few seconds as well: a minute's counts start again and an open circuit turns
   * half-open with no request to say so.
   */
  watch(watcher: ConsoleWatcher): () => void {
    this.watchers.add(watcher);
    if (this.refresh === undefined) {
      this.refresh = setInterval(() => {
        for (const served of this.registry?.loaded() ?? []) void this.sendModels(served.key!, undefined);
      }, REFRESH_MS);
      this.refresh.unref();
    }
    return () => {
      this.watchers.delete(watcher);
      if (this.watchers.size === 0) this.stopRefresh();
    };
  }

  private stopRefresh(): void {
    clearInterval(this.refresh);
    this.refresh = undefined;
  }

  /** Ends every events stream, so a closing server does not wait on them. */
  close(): void {
    for (const watcher of this.watchers) watcher.end();
    this.watchers.clear();
    this.stopRefresh();
  }

  /** A chat request of `project` began: `inflight` are being answered now. */
  started(project: string, inflight: number): void {
    if (this.watchers.size === 0) return;
    this.emit(project, "inflight", { project, in_flight: inflight });
  }

  /** A chat request ended, however it ended. */
  finished(request: FinishedRequest, inflight: number): void {
    this.requests.push(request);
    if (this.watchers.size === 0) return;
    const project = request.project;
    this.emit(project, "request", this.requests.entry(request));
    this.emit(project, "inflight", { project, in_flight: inflight });
    const models = new Set<string>();
    for (const attempt of request.attempts) models.add(attempt.model);
    if (request.servedBy !== undefined) models.add(request.servedBy);
    if (request.model !== undefined) models.add(request.model);
    void this.sendModels(project, models);
  }

  /** A routing event of a project's runtimes: a circuit that opens or closes shows at once. */
  readonly routingEvent = (project: string, event: RoutingEvent): void => {
    if (this.watchers.size === 0 || event.type !== "breaker") return;
    void this.sendModels(project, new Set([event.model]));
  };

  /** The first event a watcher gets: every model it may see. */
  async snapshot(visible: (project: string) => boolean): Promise<unknown> {
    const projects = (this.registry?.loaded() ?? []).filter((p) => visible(p.key!));
    const models = await Promise.all(projects.map((p) => modelStates(p).catch(() => [])));
    return {
      projects: projects.map((p) => ({ id: p.key, file: p.file, default_model: p.project?.defaultModel ?? null, reload: reloadResult(p) })),
      models: models.flat(),
    };
  }

  private reloaded(served: ServedProject, outcome: LoadOutcome): void {
    const project = served.key;
    if (this.watchers.size === 0 || project === undefined || (outcome.ok && !outcome.changed)) return;
    this.emit(project, "config", { project, reload: reloadResult(served) });
    if (outcome.ok) void this.sendModels(project, undefined);
  }

  private async sendModels(project: string, models: ReadonlySet<string> | undefined): Promise<void> {
    const served = this.registry?.get(project);
    if (served === undefined) return;
    const states = await modelStates(served, models).catch(() => []);
    for (const state of states) this.emit(project, "model", state);
  }

  private emit(project: string, event: string, value: unknown): void {
    let data: string | undefined;
    for (const watcher of this.watchers) {
      if (!watcher.visible(project)) continue;
      data ??= JSON.stringify(value);
      watcher.send(event, data);
    }
  }
}
