import { LfError, type ResolvedProject } from "../index.js";
import { keyStoreId, openKeyStore, type KeyStore } from "../keys/index.js";
import { ApiKeyTable } from "./api-keys.js";
import type { ChatScope } from "./chat-target.js";
import { edgeSettings, type EdgeSettings } from "./edge-guard.js";
import { ServedProject, type LoadOutcome, type ServedProjectOptions } from "./served-project.js";
import { watchProjectFile } from "./watch-project-file.js";

export const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;

export interface RegistryOptions extends Omit<ServedProjectOptions, "keyOwner" | "onLoaded"> {
  /** Reload a project when its file changes (default true). */
  watch?: boolean;
  debounceMs?: number;
}

/**
 * The projects a server answers for, by `namespace/name`. Settings that span projects (API keys, the
 * body limit for the project-less routes) are recomputed after every load, so a key added to a file
 * works without a restart.
 */
export class ProjectRegistry {
  readonly projects: readonly ServedProject[];
  private readonly byKey = new Map<string, ServedProject>();
  private readonly stops: Array<() => void> = [];
  private keysTable = ApiKeyTable.fromProjects([]);
  /** The `lf keys` stores of the loaded projects, one per file or Redis, kept until the registry closes. */
  private readonly keyStores = new Map<string, KeyStore>();
  private storedKeysSeen = false;
  private storesCheckedAt = 0;
  private largestBodyLimit = DEFAULT_BODY_LIMIT;
  private edge: EdgeSettings = edgeSettings([]);
  private consoleOn = true;
  private reloadListener: ((served: ServedProject, outcome: LoadOutcome) => void) | undefined;

  private constructor(
    files: readonly string[],
    private readonly options: RegistryOptions,
  ) {
    this.projects = files.map(
      (file) =>
        new ServedProject(file, {
          ...options,
          keyOwner: (key, self) => {
            const owner = this.byKey.get(key);
            return owner !== undefined && owner !== self ? owner.file : undefined;
          },
          onLoaded: (self, previousKey) => this.onLoaded(self, previousKey),
        }),
    );
  }

  /**
   * Loads every file. Two files that declare the same `namespace/name` are an error naming both; a
   * file that does not validate stays listed (with its findings) and is loaded once an edit fixes it.
   */
  static async open(files: readonly string[], options: RegistryOptions): Promise<ProjectRegistry> {
    const registry = new ProjectRegistry(files, options);
    for (const served of registry.projects) await served.reload();
    await registry.checkStoredKeys();
    const duplicate = registry.projects.find((p) => p.loadError?.findings.some((f) => f.includes("is already served from")));
    if (duplicate !== undefined) {
      await registry.close();
      throw new LfError("config_invalid", duplicate.loadError!.findings.find((f) => f.includes("is already served from"))!);
    }
    if (options.watch !== false) registry.watch();
    return registry;
  }

  get(key: string): ServedProject | undefined {
    return this.byKey.get(key);
  }

  /** The only served project, when there is exactly one. */
  single(): ServedProject | undefined {
    return this.projects.length === 1 ? this.projects[0] : undefined;
  }

  loaded(): ServedProject[] {
    return [...this.byKey.values()];
  }

  keys(): string[] {
    return [...this.byKey.keys()].sort();
  }

  get apiKeys(): ApiKeyTable {
    // A server that started with no key at all starts asking for them within a second of `lf keys create`.
    if (!this.keysTable.required && this.keyStores.size > 0 && performance.now() - this.storesCheckedAt > 1000) void this.checkStoredKeys();
    return this.keysTable;
  }

  /** `server.cors` and `server.allowed_hosts` of every loaded project. */
  get edgeSettings(): EdgeSettings {
    return this.edge;
  }

  /** The body limit of the project a chat route names (the largest of all on the root form, before the body says which). */
  bodyLimit(scope: ChatScope): number {
    const project = scope.kind === "project" ? this.get(`${scope.namespace}/${scope.project}`) : this.single();
    if (project?.project === undefined) return this.largestBodyLimit;
    return limitOf(project.project) ?? DEFAULT_BODY_LIMIT;
  }

  /** Whether the web console is served: not when a loaded project sets `server.console: false`. */
  get consoleEnabled(): boolean {
    return this.consoleOn;
  }

  /** Called after each reload an edit of a file caused, accepted or refused. */
  onReload(listener: (served: ServedProject, outcome: LoadOutcome) => void): void {
    this.reloadListener = listener;
  }

  async close(): Promise<void> {
    for (const stop of this.stops.splice(0)) stop();
    await Promise.allSettled(this.projects.map((p) => p.close()));
    await Promise.allSettled([...this.keyStores.values()].map((store) => store.close()));
    this.keyStores.clear();
  }

  private watch(): void {
    for (const served of this.projects) {
      this.stops.push(
        watchProjectFile(served.file, (force) => void served.reload(force).then((outcome) => this.reloadListener?.(served, outcome)), {
          ...(this.options.debounceMs === undefined ? {} : { debounceMs: this.options.debounceMs }),
          onError: (error) => this.options.logger.warn({ file: served.file }, `cannot watch the project file for edits: ${error.message}`),
        }),
      );
    }
  }

  private rebuildKeys(): void {
    this.keysTable = ApiKeyTable.fromProjects(this.loaded().map((p) => p.project!), [...this.keyStores.values()], this.storedKeysSeen);
  }

  /** Once any store holds a key, every request needs one (a server with none is open to all). */
  private async checkStoredKeys(): Promise<void> {
    this.storesCheckedAt = performance.now();
    if (this.storedKeysSeen) return;
    const found = await Promise.all([...this.keyStores.values()].map((store) => store.hasKeys().catch(() => false)));
    if (found.includes(true)) {
      this.storedKeysSeen = true;
      this.rebuildKeys();
    }
  }

  private onLoaded(self: ServedProject, previousKey: string | undefined): void {
    const key = self.key!;
    if (previousKey !== undefined && previousKey !== key && this.byKey.get(previousKey) === self) this.byKey.delete(previousKey);
    this.byKey.set(key, self);
    const projects = this.loaded().map((p) => p.project!);
    for (const project of projects) {
      const id = keyStoreId(project);
      if (!this.keyStores.has(id)) this.keyStores.set(id, openKeyStore(project));
    }
    this.rebuildKeys();
    if (!this.storedKeysSeen) void this.checkStoredKeys();
    this.edge = edgeSettings(projects.map((p) => p.server));
    this.consoleOn = projects.every((p) => p.server.console.enabled);
    this.largestBodyLimit = Math.max(0, ...projects.map((p) => limitOf(p) ?? DEFAULT_BODY_LIMIT)) || DEFAULT_BODY_LIMIT;
  }
}

function limitOf(project: ResolvedProject | undefined): number | undefined {
  return project?.server.bodyLimitBytes;
}
