import { readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Logger } from "pino";
import {
  formatIssue,
  type ConfigIssue,
  LfError,
  McpPool,
  parseProject,
  redactSecrets,
  openRuntime,
  type Runtime,
  type ResolvedProject,
  type RoutingEvent,
  type RuntimeOptions,
} from "../index.js";
import { createStateStore, type ManagedStateStore } from "../state/index.js";
import { openUsageLedger, type Ledger, type LedgerLogger } from "../usage/index.js";
import { createSessionStore } from "./create-session-store.js";
import { FileSessionStore } from "./file-session-store.js";
import { ModelHealth } from "./model-health.js";
import type { ProjectReadiness } from "./project-readiness.js";
import type { SessionStore } from "./session-store.js";

export type { ProjectReadiness } from "./project-readiness.js";

export interface ServedProjectOptions {
  logger: Logger;
  env?: Readonly<Record<string, string | undefined>>;
  /** Passed to every Runtime built for this project; the state store and MCP pool are managed here. */
  runtimeOptions?: Omit<RuntimeOptions, "store" | "mcp" | "onEvent" | "env" | "usage">;
  /** The file of another served project that already answers to `key`, if any. */
  keyOwner?: (key: string, self: ServedProject) => string | undefined;
  /** After every successful load, with the key the project had before it. */
  onLoaded?: (self: ServedProject, previousKey: string | undefined) => void;
  /** Every routing event of this project's runtimes (the gateway's metrics follow circuit states). */
  onRoutingEvent?: (project: string, event: RoutingEvent) => void;
}

export interface LoadOutcome {
  ok: boolean;
  /** False when the file had not changed and nothing was rebuilt. */
  changed: boolean;
  findings: string[];
}

/** One Runtime built from one version of the file, with the requests still running on it. */
export class Generation {
  inflight = 0;
  retired = false;
  constructor(
    readonly runtime: Runtime,
    readonly mcp: McpPool,
    readonly mcpKey: string,
    readonly sessions: { key: string; store: SessionStore },
  ) {}
}

/**
 * A project file being served. Each successful load builds a new Runtime that shares the previous
 * one's state store (and its MCP pool while `mcp.servers` is unchanged) and swaps it in; requests
 * hold the generation they started on, which is closed once they have all finished. A load that
 * does not validate changes nothing but `loadError`.
 */
export class ServedProject {
  readonly health = new ModelHealth();
  loadError: { at: number; findings: string[] } | undefined;
  loadedAt: number | undefined;
  private current: Generation | undefined;
  /** The file's text as loaded (the one being served), and what validating it found (warnings). */
  text: string | undefined;
  issues: readonly ConfigIssue[] = [];
  private loading: Promise<LoadOutcome> | undefined;
  private again = false;
  private forceNext = false;
  private closed = false;
  private readonly live = new Set<Generation>();
  private readonly pools = new Map<McpPool, number>();
  /** Shared by every generation while `state:` is unchanged (rate limits, breakers, spend). */
  private store: { key: string; store: ManagedStateStore } | undefined;
  private readonly stores = new Set<ManagedStateStore>();
  /** The project's usage ledger, opened on first load and kept across reloads while `usage.database_url` is unchanged. */
  private ledger: { key: string; ledger: Ledger } | undefined;
  /** MCP servers that could not be used at their last binding, with why: a failure is logged once, until the server works again. */
  private readonly toolProblems = new Map<string, string>();
  /** Ledgers an edit replaced, still used by the generations that started on them, closed with the project. */
  private readonly replacedLedgers: Ledger[] = [];
  /** Until the file first loads: files, as the project's default. */
  private readonly defaultSessions: SessionStore;
  private readonly sessionUsers = new Map<SessionStore, number>();

  constructor(
    readonly file: string,
    private readonly options: ServedProjectOptions,
  ) {
    this.defaultSessions = new FileSessionStore(dirname(file));
  }

  /** Where this project's conversations are kept: Redis when it shares state, else files. */
  get sessions(): SessionStore {
    return this.current?.sessions.store ?? this.defaultSessions;
  }

  get project(): ResolvedProject | undefined {
    return this.current?.runtime.project;
  }

  /** `namespace/name`, once the file has loaded. */
  get key(): string | undefined {
    const project = this.project;
    return project === undefined ? undefined : project.key;
  }

  get secrets(): ReadonlyArray<string> {
    return this.current?.runtime.project.secrets ?? [];
  }

  /** The current generation, held until `release`: a reload meanwhile does not close it. */
  acquire(): Generation {
    const generation = this.current;
    if (generation === undefined) {
      throw new LfError("config_invalid", `The project in ${this.file} is not loaded: ${this.loadError?.findings[0] ?? "it has not loaded yet"}`);
    }
    generation.inflight++;
    return generation;
  }

  release(generation: Generation): void {
    generation.inflight--;
    if (generation.retired && generation.inflight === 0) void this.retire(generation);
  }

  /** Loads the file (again). Calls made while a load runs are folded into one more load after it. */
  reload(force = false): Promise<LoadOutcome> {
    this.forceNext ||= force;
    if (this.loading !== undefined) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      let outcome: LoadOutcome;
      do {
        this.again = false;
        const forced = this.forceNext;
        this.forceNext = false;
        outcome = await this.loadOnce(forced);
      } while (this.again && !this.closed);
      this.loading = undefined;
      return outcome;
    })();
    return this.loading;
  }

  async readiness(): Promise<ProjectReadiness> {
    const generation = this.current;
    const models: ProjectReadiness["models"] = [];
    if (generation !== undefined) {
      for (const model of generation.runtime.project.models.values()) {
        const circuit = model.router ? null : (await generation.runtime.breakerState(model.name)).state;
        models.push({
          name: model.name,
          provider: model.provider ?? null,
          router: model.router?.strategy ?? null,
          circuit,
          unavailable: model.unavailable ?? null,
          ...this.health.of(model.name),
        });
      }
    }
    const sessions = generation === undefined ? null : await this.sessionReadiness(generation.sessions.store);
    const backlog = this.ledger === undefined ? undefined : await this.ledger.ledger.backlog();
    const usage = this.ledger === undefined ? null : backlog === undefined ? { store: "sqlite" } : { store: backlog.database, ...backlog };
    return {
      id: this.key ?? null,
      file: this.file,
      loaded: generation !== undefined,
      loaded_at: this.loadedAt === undefined ? null : new Date(this.loadedAt).toISOString(),
      config_error: this.loadError === undefined ? null : { at: new Date(this.loadError.at).toISOString(), findings: this.loadError.findings },
      models,
      mcp: generation === undefined ? [] : this.mcpReadiness(generation),
      sessions,
      usage,
    };
  }

  private mcpReadiness(generation: Generation): ProjectReadiness["mcp"] {
    const required = generation.runtime.project.requiredMcpServers;
    return generation.mcp.status().map((s) => ({
      name: s.name,
      required: required.has(s.name),
      // A server not yet used has not failed; one that failed at its last binding has, though its retry may be pending.
      state: this.toolProblems.has(s.name) && s.state !== "failed" ? "failed" : s.state,
      last_error: s.lastError !== undefined ? redactSecrets(s.lastError, this.secrets) : (this.toolProblems.get(s.name) ?? null),
    }));
  }

  private async sessionReadiness(store: SessionStore): Promise<NonNullable<ProjectReadiness["sessions"]>> {
    const check = await store.check();
    return { store: store.describe, reachable: check.ok, ...(check.detail === undefined ? {} : { detail: redactSecrets(check.detail, this.secrets) }) };
  }

  /** Closes every generation, running or not: call once requests have drained or the grace has passed. */
  async close(): Promise<void> {
    this.closed = true;
    await this.loading?.catch(() => undefined);
    this.current = undefined;
    await Promise.allSettled([...this.live].map((generation) => this.retire(generation)));
    await Promise.allSettled([...this.stores].map((store) => store.close()));
    this.stores.clear();
    const ledgers = [...this.replacedLedgers.splice(0), ...(this.ledger === undefined ? [] : [this.ledger.ledger])];
    this.ledger = undefined;
    await Promise.allSettled(ledgers.map((ledger) => ledger.close()));
    await this.defaultSessions.close();
  }

  private async loadOnce(force: boolean): Promise<LoadOutcome> {
    if (this.closed) return { ok: false, changed: false, findings: [] };
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return this.refuse([`${this.file}: ${code === "ENOENT" ? "no such file" : `cannot read (${code ?? "unknown error"})`}`]);
    }
    if (!force && this.current !== undefined && text === this.text) {
      // The file is back to the text being served (a refused edit undone): nothing to rebuild, and
      // nothing wrong any more.
      if (this.loadError !== undefined) {
        this.loadError = undefined;
        this.options.logger.info({ project: this.key, file: this.file }, "config edit undone: the served config matches the file again");
      }
      return { ok: true, changed: false, findings: [] };
    }

    const result = parseProject(text, this.file, this.options.env ? { env: this.options.env } : {});
    const log = this.options.logger;
    for (const issue of result.issues) {
      if (issue.severity === "warning") log.warn({ file: this.file }, redactSecrets(formatIssue(this.file, issue), this.secrets));
    }
    if (result.project === undefined) {
      return this.refuse(result.issues.filter((i) => i.severity === "error").map((i) => formatIssue(this.file, i)));
    }
    const key = result.project.key;
    const owner = this.options.keyOwner?.(key, this);
    if (owner !== undefined) return this.refuse([`${this.file}: project ${key} is already served from ${owner}`]);

    let generation: Generation;
    try {
      generation = await this.build(result.project);
    } catch (error) {
      return this.refuse([`${this.file}: ${error instanceof Error ? error.message : String(error)}`]);
    }
    const previous = this.current;
    const previousKey = this.key;
    this.current = generation;
    this.text = text;
    this.issues = result.issues;
    this.loadError = undefined;
    this.loadedAt = Date.now();
    log.info({ project: key, file: this.file, models: result.project.models.size }, previous === undefined ? "project loaded" : "project reloaded");
    if (previous !== undefined) {
      previous.retired = true;
      if (previous.inflight === 0) void this.retire(previous);
    }
    this.options.onLoaded?.(this, previousKey);
    return { ok: true, changed: true, findings: [] };
  }

  private async build(project: ResolvedProject): Promise<Generation> {
    const configs = project.mcpServers;
    const mcpKey = JSON.stringify(configs);
    const previous = this.current;
    const env = this.options.env ?? process.env;
    const logger = this.storeLogger(project);
    const { store, created } = this.stateStore(project, logger);
    const ledger = this.ledgerFor(project, logger);
    const sessions = this.sessionsFor(project);
    const mcp = previous !== undefined && previous.mcpKey === mcpKey ? previous.mcp : new McpPool(configs, { env });
    const { runtime } = await openRuntime(project, {
      ...this.options.runtimeOptions,
      env,
      mcp,
      store,
      ledger,
      restore: created,
      logger,
      onEvent: (event) => this.onRoutingEvent(project, event),
    });
    const generation = new Generation(runtime, mcp, mcpKey, sessions);
    this.pools.set(mcp, (this.pools.get(mcp) ?? 0) + 1);
    this.sessionUsers.set(sessions.store, (this.sessionUsers.get(sessions.store) ?? 0) + 1);
    this.live.add(generation);
    return generation;
  }

  /** The store for `state:`: the current one while unchanged, else a new one (Redis or memory). */
  private stateStore(project: ResolvedProject, logger: LedgerLogger): { store: ManagedStateStore; created: boolean } {
    const key = JSON.stringify(project.state);
    if (this.store?.key === key) return { store: this.store.store, created: false };
    const store = createStateStore({
      redisUrl: project.state.redisUrl,
      keyPrefix: project.state.keyPrefix,
      logger,
    });
    this.store = { key, store };
    this.stores.add(store);
    return { store, created: true };
  }

  /** The ledger while `usage.database_url` is unchanged, else a new one; the old one closes with the project. */
  private ledgerFor(project: ResolvedProject, logger: LedgerLogger): Ledger {
    const key = project.usage.databaseUrl ?? "";
    if (this.ledger?.key === key) return this.ledger.ledger;
    if (this.ledger !== undefined) this.replacedLedgers.push(this.ledger.ledger);
    this.ledger = { key, ledger: openUsageLedger(project, { logger }) };
    return this.ledger.ledger;
  }

  /** The current generation's session store while `state:`, `sessions:` and the project's name are unchanged. */
  private sessionsFor(project: ResolvedProject): { key: string; store: SessionStore } {
    const key = JSON.stringify([project.state, project.sessions, project.key]);
    const current = this.current?.sessions;
    if (current?.key === key) return current;
    return { key, store: createSessionStore(project, dirname(this.file)) };
  }

  /** Where the state store and the ledger report losing and regaining their servers, secrets masked. */
  private storeLogger(project: ResolvedProject): LedgerLogger {
    const log = this.options.logger;
    return { warn: (m) => log.warn({ file: this.file }, redactSecrets(m, project.secrets)), info: (m) => log.info({ file: this.file }, redactSecrets(m, project.secrets)) };
  }

  private refuse(findings: string[]): LoadOutcome {
    const shown = findings.map((f) => redactSecrets(f, this.secrets));
    this.loadError = { at: Date.now(), findings: shown };
    const log = this.options.logger;
    for (const finding of shown) log.error({ project: this.key, file: this.file }, finding);
    log.error(
      { project: this.key, file: this.file, findings: shown.length },
      this.current === undefined ? "project not loaded: its file does not validate" : "config edit refused: the previous config keeps serving",
    );
    return { ok: false, changed: false, findings: shown };
  }

  private async retire(generation: Generation): Promise<void> {
    if (!this.live.delete(generation)) return;
    await generation.runtime.close().catch((error: unknown) => this.options.logger.warn({ file: this.file, err: message(error, this.secrets) }, "closing a runtime failed"));
    const sessions = generation.sessions.store;
    const sessionUsers = (this.sessionUsers.get(sessions) ?? 1) - 1;
    if (sessionUsers > 0) this.sessionUsers.set(sessions, sessionUsers);
    else {
      this.sessionUsers.delete(sessions);
      await sessions.close().catch(() => undefined);
    }
    const users = (this.pools.get(generation.mcp) ?? 1) - 1;
    if (users > 0) {
      this.pools.set(generation.mcp, users);
      return;
    }
    this.pools.delete(generation.mcp);
    await generation.mcp.close().catch((error: unknown) => this.options.logger.warn({ file: this.file, err: message(error, this.secrets) }, "closing MCP servers failed"));
  }

  private onRoutingEvent(project: ResolvedProject, event: RoutingEvent): void {
    const log = this.options.logger;
    const id = project.key;
    this.options.onRoutingEvent?.(id, event);
    if (event.type === "breaker") {
      log.warn({ project: id, model: event.model, from: event.from, to: event.to }, redactSecrets(`circuit ${event.to}: ${event.reason}`, project.secrets));
    } else if (event.type === "tools") {
      // Once per failure: the same problem again is not news, and a server that works again is.
      const failing = this.toolProblems.has(event.server);
      if (event.problem !== undefined && failing) return;
      if (event.problem === undefined) {
        if (!failing) return;
        this.toolProblems.delete(event.server);
        log.info({ project: id, server: event.server }, `MCP server ${event.server} can be used again`);
      } else {
        this.toolProblems.set(event.server, event.problem);
        log.warn({ project: id, model: event.model, server: event.server }, redactSecrets(`MCP server ${event.server} cannot be used (bound to model ${event.model}): ${event.problem}`, project.secrets));
      }
    } else if (log.isLevelEnabled("debug")) {
      const a = event.attempt;
      log.debug(
        { project: id, model: a.model, outcome: a.outcome, attempt: a.attempt, code: a.code, status: a.status, skipped: a.skipped, ms: a.durationMs },
        redactSecrets(`route ${a.model}: ${a.outcome}${a.detail ? ` (${a.detail})` : ""}`, project.secrets),
      );
    }
  }
}

function message(error: unknown, secrets: ReadonlyArray<string>): string {
  return redactSecrets(error instanceof Error ? error.message : String(error), secrets);
}
