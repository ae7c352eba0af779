import type { McpBinding, McpServerConfig, ModelParameters, ToolDefinition } from "../core/index.js";

export type { McpBinding };
import type { LlamaFarmProject, Model, PromptMessage, Provider } from "../../schema/llamafarm.js";

/** LlamaFarm's three ways a request's own tools or system prompt meet the file's. */
export type CombineMode = "config_only" | "api_replace" | "api_supplement";


export interface RouterMember {
  model: string;
  weight?: number;
  tier?: "simple" | "medium" | "complex" | "code" | "reasoning";
}

/** A model with every default and project-wide setting applied, durations in milliseconds. */
export interface ResolvedModel {
  readonly name: string;
  readonly description: string | undefined;
  /** Undefined for a router, which has no provider of its own. */
  readonly provider: Provider | undefined;
  /** For llamacpp, the GGUF file's absolute path. */
  readonly modelId: string;
  /** For llamacpp, the pull source (`hf:...`, a URL) the file comes from, when the model names one. */
  readonly ggufSource?: string | undefined;
  readonly baseUrl: string | undefined;
  readonly apiKey: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly parameters: Readonly<ModelParameters>;
  readonly extraBody: Readonly<Record<string, unknown>> | undefined;
  /** The messages of the model's prompt sets, in order (every set when the model names none). */
  readonly promptMessages: ReadonlyArray<PromptMessage>;
  /** How the request's system messages combine with `promptMessages`. */
  readonly promptsMode: CombineMode;
  /** Function tools from the file; their calls go back to the client, as with the request's own tools. */
  readonly tools: ReadonlyArray<ToolDefinition>;
  /** How the request's tools combine with `tools`. */
  readonly toolsMode: CombineMode;
  /** `prompt_based`: tools are described in the system prompt and calls read back from the text. */
  readonly toolCallStrategy: "native_api" | "prompt_based";
  /** Omitted in the file: every server. */
  readonly mcpServers: ReadonlyArray<McpBinding> | undefined;
  readonly fallbacks: ReadonlyArray<string>;
  readonly router:
    | {
        strategy: NonNullable<Model["router"]>["strategy"];
        members: ReadonlyArray<RouterMember>;
        tolerance: number;
        expectedOutputTokens: number;
      }
    | undefined;
  readonly limits: {
    rpm?: number;
    tpm?: number;
    maxConcurrent?: number;
    minIntervalMs?: number;
    maxWaitMs: number;
  };
  readonly pricing: { inputPer1k: number; outputPer1k: number } | undefined;
  readonly contextWindow: number | undefined;
  /** `embeddings`: the model serves /v1/embeddings, and not chat. */
  readonly capabilities: { tools: boolean; vision: boolean; json: boolean; embeddings: boolean };
  readonly timeouts: { connectMs: number; firstTokenMs: number; idleMs: number; totalMs: number };
  readonly retries: { maxAttempts: number; initialBackoffMs: number; maxBackoffMs: number; maxRetryAfterMs: number };
  readonly circuitBreaker: {
    failureThreshold: number;
    failureRate: number | undefined;
    windowMs: number;
    minRequests: number;
    cooldownMs: number;
  };
  readonly budget: { perRequest?: number; daily?: number; monthly?: number } | undefined;
  /** The response cache for requests that name this model (or router); undefined: off. */
  readonly cache: ResolvedCache | undefined;
  readonly llamacpp: { maxContexts: number; gpuLayers?: number | "auto"; threads?: number } | undefined;
  readonly isDefault: boolean;
  /** Why the model cannot be called (an environment variable it uses is not set); the rest of the project serves. */
  readonly unavailable: string | undefined;
}

export interface ResolvedProject {
  /** Absolute path of the project file. */
  readonly file: string;
  /** The folder that holds it; relative paths in the file are resolved against it. */
  readonly dir: string;
  readonly namespace: string;
  readonly name: string;
  /** `namespace/name`: how the API, the ledger, the state store and the sessions name the project. */
  readonly key: string;
  readonly defaultModel: string;
  readonly models: ReadonlyMap<string, ResolvedModel>;
  readonly fallbacks: ReadonlyArray<string>;
  readonly maxToolIterations: number;
  /** The MCP servers, ready for the pool: durations in ms, folders absolute. */
  readonly mcpServers: ReadonlyArray<McpServerConfig>;
  /** The servers marked `required: true`. */
  readonly requiredMcpServers: ReadonlySet<string>;
  readonly server: ResolvedServer;
  readonly state: { readonly redisUrl: string | undefined; readonly keyPrefix: string };
  readonly usage: { readonly retentionDays: number; readonly databaseUrl: string | undefined };
  /** `sessions:`: how long and how much a conversation is kept. */
  readonly sessions: { readonly ttlMs: number; readonly maxMessages: number; readonly maxBytes: number };
  /** `telemetry:`: where traces are exported; the environment may still set an endpoint when this has none. */
  readonly telemetry: { readonly otlpEndpoint: string | undefined; readonly headers: Readonly<Record<string, string>>; readonly serviceName: string };
  /** The project-wide budget, when one is set. */
  readonly budget: { perRequest?: number; daily?: number; monthly?: number; whenExceeded: ReadonlyArray<string> } | undefined;
  /** The file as validated, with the schema's defaults filled in; read only inside `config/`. */
  readonly raw: Readonly<LlamaFarmProject>;
  /** Values that must never be shown: API keys, header values, secrets from the environment. */
  readonly secrets: ReadonlyArray<string>;
}

/** `server:`, resolved: sizes in bytes, durations in ms, every default applied. */
export interface ResolvedServer {
  readonly host: string;
  readonly port: number;
  readonly bodyLimitBytes: number;
  readonly apiKeys: ReadonlyArray<ResolvedApiKey>;
  readonly corsOrigins: ReadonlyArray<string>;
  readonly allowedHosts: ReadonlyArray<string>;
  readonly timeouts: { readonly headersMs: number; readonly requestMs: number; readonly keepAliveMs: number };
  readonly maxConnections: number;
  readonly maxConnectionsPerClient: number;
  /** `server.console`: whether the web console is served, and whether this project's request bodies are kept for it. */
  readonly console: { readonly enabled: boolean; readonly recordBodies: boolean };
}

/** `cache:`, the project's and the model's merged: durations in ms. */
export interface ResolvedCache {
  readonly ttlMs: number;
  readonly maxEntries: number;
  /** Requests with a temperature above 0 are cached too. */
  readonly temperature: boolean;
}

/** One entry of `server.api_keys` (or of the `lf keys` store): what the key may use and spend. */
export interface ResolvedApiKey {
  readonly key: string;
  /** Undefined for a bare string in the file: the ledger then names no key. */
  readonly name: string | undefined;
  readonly projects: ReadonlyArray<string> | undefined;
  readonly models: ReadonlyArray<string> | undefined;
  readonly rpm: number | undefined;
  readonly tpm: number | undefined;
  readonly budget: { readonly daily?: number; readonly monthly?: number } | undefined;
  /** Epoch ms after which the key is refused. */
  readonly expiresAt: number | undefined;
}
