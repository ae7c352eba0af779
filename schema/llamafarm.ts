/* Generated from schema/llamafarm.schema.json by `npm run gen:types`. Do not edit by hand. */

export type Identifier = string;
/**
 * ollama; openai (and any OpenAI-compatible server with base_url; universal and lemonade are LlamaFarm runtimes that speak it); anthropic; llamacpp (a GGUF file run in-process).
 */
export type Provider = "ollama" | "openai" | "anthropic" | "llamacpp" | "universal" | "lemonade";
/**
 * An amount in US dollars.
 */
export type Money = number;
/**
 * Milliseconds as a number, or a string such as "250ms", "30s", "5m", "1h", "30d".
 */
export type Duration = number | string;
export type ApiKey =
  | string
  | {
      key: string;
      /**
       * namespace/project names this key may use; omitted: all.
       */
      projects?: string[];
      /**
       * How the key is named in the ledger (`lf usage --by key`) and in errors.
       */
      name?: string;
      /**
       * Models and routers this key may name; omitted: all.
       */
      models?: string[];
      /**
       * Requests per minute for this key, over every instance sharing state.
       */
      rpm?: number;
      /**
       * Tokens per minute for this key.
       */
      tpm?: number;
      /**
       * US dollars this key may spend per UTC day or month; beyond it, 429 naming the budget.
       */
      budget?: {
        daily?: Money;
        monthly?: Money;
      };
      /**
       * A date (UTC midnight) or ISO time after which the key gets 401.
       */
      expires?: string;
    };

/**
 * An lf project file (llamafarm.yaml). Compatible with LlamaFarm's v1 project format, plus lf's reliability, routing, limits, pricing and server fields.
 */
export interface LlamaFarmProject {
  /**
   * Config version; must be "v1".
   */
  version: "v1";
  /**
   * Project name; the {project} part of API paths.
   */
  name: string;
  /**
   * Project namespace; the {namespace} part of API paths.
   */
  namespace: string;
  /**
   * Named prompt sets that models reference with `prompt` or `prompts`.
   */
  prompts?: PromptSet[];
  runtime: Runtime;
  /**
   * Model Context Protocol tool servers available to the project's models.
   */
  mcp?: {
    servers?: McpServer[];
  };
  server?: Server;
  state?: State;
  /**
   * OpenTelemetry traces of `lf serve`'s requests (GenAI semantic conventions), exported over OTLP/HTTP. Read from the first project served. Off, at no cost, unless `otlp_endpoint` or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT is set.
   */
  telemetry?: {
    /**
     * The collector's OTLP/HTTP base URL (`http://localhost:4318`): spans go to `{otlp_endpoint}/v1/traces`; a URL that already ends in `/v1/traces` is used as it is. Wins over the environment.
     */
    otlp_endpoint?: string;
    /**
     * Sent with every export, e.g. the collector's API key as `${env:...}`.
     */
    headers?: {
      [k: string]: string;
    };
    /**
     * `service.name` of the exported spans; OTEL_SERVICE_NAME wins when set.
     */
    service_name?: string;
  };
  /**
   * Conversations kept by `lf serve` for requests with `X-Session-ID`: in Redis when `state.redis_url` is set, else in files under `.lf/sessions/`.
   */
  sessions?: {
    /**
     * Milliseconds as a number, or a string such as "250ms", "30s", "5m", "1h", "30d".
     */
    ttl?: number | string;
    /**
     * Older turns drop off beyond this many messages.
     */
    max_messages?: number;
    /**
     * Older turns drop off beyond this many bytes of stored messages; the newest turn is always kept.
     */
    max_size?: string;
  };
  budget?: ProjectBudget;
  /**
   * The usage ledger.
   */
  usage?: {
    /**
     * Rows older than this are pruned.
     */
    retention_days?: number;
    /**
     * A PostgreSQL database that several instances share: rows are written to the local ledger first and shipped to it in batches; reports, budgets and retention read it.
     */
    database_url?: string;
  };
  /**
   * The response cache, off without this block: an answer is kept for a request with the same project, model, messages, tools and parameters, and replayed (whole, or as a stream) without calling a model. In SQLite beside the ledger (.lf/gateway.db), or in Redis when state.redis_url is set, shared by instances. A model's own `cache` overrides it field by field.
   */
  cache?: Cache1 & {
    ttl?: string;
    max_entries?: number;
    temperature?: boolean;
  };
  /**
   * LlamaFarm's RAG databases and processing strategies; accepted and ignored by lf (a warning names it).
   */
  rag?: unknown;
  /**
   * LlamaFarm's datasets; accepted and ignored by lf (a warning names it).
   */
  datasets?: unknown;
  /**
   * LlamaFarm's reusable RAG components; accepted and ignored by lf (a warning names it).
   */
  components?: unknown;
  /**
   * LlamaFarm's voice chat; accepted and ignored by lf (a warning names it).
   */
  voice?: unknown;
  /**
   * LlamaFarm's agents; accepted and ignored by lf (a warning names it).
   */
  agents?: unknown;
  /**
   * LlamaFarm's multi-node mesh; accepted and ignored by lf (a warning names it).
   */
  nodes?: unknown;
  /**
   * LlamaFarm's semantic router section; accepted and ignored by lf (a warning names it). lf's routers are models with a `router:` block.
   */
  router?: unknown;
  /**
   * LlamaFarm's memory stores; accepted and ignored by lf (a warning names it).
   */
  memory?: unknown;
  /**
   * LlamaFarm's classifiers and anomaly detectors; accepted and ignored by lf (a warning names it).
   */
  ml?: unknown;
  /**
   * LlamaFarm's custom tool code; accepted and ignored by lf (a warning names it).
   */
  custom_code?: unknown;
  /**
   * LlamaFarm's structured-output class (path::Class); accepted and ignored by lf (a warning names it).
   */
  schema?: unknown;
  /**
   * LlamaFarm's deploy targets; accepted and ignored by lf (a warning names it).
   */
  environments?: unknown;
  /**
   * LlamaFarm's pre-release top-level model list; accepted and ignored by lf (a warning names it). lf reads runtime.models.
   */
  models?: unknown;
}
export interface PromptSet {
  name: Identifier;
  messages: PromptMessage[];
}
export interface PromptMessage {
  role: "system" | "user" | "assistant" | "tool";
  /**
   * Text; `{{variable}}` and `{{variable | default}}` are filled from request variables.
   */
  content: string;
  tool_call_id?: string;
}
export interface Runtime {
  /**
   * The model used when a request names none. Without it, the model with `default: true`, else the first.
   */
  default_model?: string;
  /**
   * @minItems 1
   */
  models: [Model, ...Model[]];
  /**
   * The project-wide fallback chain, tried after a model's own `fallbacks`.
   */
  fallbacks?: string[];
  /**
   * Model turns with tool calls before the loop stops.
   */
  max_tool_iterations?: number;
  /**
   * Defaults for every model; a model's own `timeouts` override them field by field.
   */
  timeouts?: Timeouts & {
    connect?: string;
    first_token?: string;
    idle?: string;
    total?: string;
  };
  /**
   * Defaults for every model; a model's own `retries` override them field by field.
   */
  retries?: Retries & {
    max_attempts?: number;
    initial_backoff?: string;
    max_backoff?: string;
    max_retry_after?: string;
  };
  /**
   * Defaults for every model; a model's own `circuit_breaker` overrides them field by field.
   */
  circuit_breaker?: CircuitBreaker & {
    failure_threshold?: number;
    window?: string;
    min_requests?: number;
    cooldown?: string;
  };
}
export interface Model {
  name: Identifier;
  description?: string;
  provider?: Provider;
  /**
   * The provider's model id; for llamacpp, a .gguf file: its path (relative to the project folder), or the source `lf models pull` downloads it from (hf:owner/repo/file.gguf, an https URL), found in the models folder.
   */
  model?: string;
  /**
   * The provider's URL.
   */
  base_url?: string;
  /**
   * Use ${env:VAR}; without it, the provider's usual variable (OPENAI_API_KEY, ANTHROPIC_API_KEY).
   */
  api_key?: string;
  /**
   * Marks the default model (at most one).
   */
  default?: boolean;
  model_api_parameters?: ModelApiParameters;
  /**
   * One prompt set, by name.
   */
  prompt?: string;
  /**
   * Prompt sets, by name, merged in order.
   */
  prompts?: string[];
  /**
   * MCP servers this model may use: omitted = all, [] = none; an entry may narrow a server to some of its tools.
   */
  mcp_servers?: (
    | string
    | {
        server: string;
        tools?: string[];
      }
  )[];
  /**
   * Models tried, in order, when this one fails.
   */
  fallbacks?: string[];
  router?: Router;
  limits?: Limits;
  pricing?: Pricing;
  /**
   * Tokens the model accepts; larger prompts skip to a fallback.
   */
  context_window?: number;
  capabilities?: Capabilities;
  timeouts?: Timeouts;
  retries?: Retries;
  circuit_breaker?: CircuitBreaker;
  budget?: Budget;
  cache?: Cache;
  /**
   * Extra HTTP headers sent to the provider.
   */
  headers?: {
    [k: string]: string;
  };
  /**
   * Provider-specific fields added to the request body (OpenAI-compatible providers).
   */
  extra_body?: {};
  /**
   * llamacpp provider options.
   */
  llamacpp?: {
    /**
     * Concurrent generations sharing the loaded model.
     */
    max_contexts?: number;
    /**
     * Layers to offload to a GPU, or "auto".
     */
    gpu_layers?: number | string;
    threads?: number;
  };
  /**
   * Function tools offered to the model beside its MCP tools; a call to one is returned to the client, as with tools the client sends.
   */
  tools?: Tool[];
  /**
   * native_api: tools go in the provider's own tool field. prompt_based: tool definitions go in the system prompt and <tool_call> blocks are read back from the text, for models without native tool calling.
   */
  tool_call_strategy?: "native_api" | "prompt_based";
  /**
   * How the request's tools combine with `tools`: config_only ignores the request's, api_replace uses the request's instead when it sends any, api_supplement offers both.
   */
  tools_mode?: "config_only" | "api_replace" | "api_supplement";
  /**
   * How the request's system messages combine with the prompt sets: config_only drops the request's, api_replace uses the request's instead of the prompt sets when it sends one, api_supplement appends them.
   */
  prompts_mode?: "config_only" | "api_replace" | "api_supplement";
  /**
   * LlamaFarm field: lf always sends plain chat messages (unstructured).
   */
  prompt_format?: "structured" | "unstructured";
  /**
   * LlamaFarm field; accepted and ignored by lf.
   */
  instructor_mode?: string;
  /**
   * LlamaFarm field; accepted and ignored by lf.
   */
  encoder_config?: {};
  /**
   * LlamaFarm field; accepted and ignored by lf.
   */
  provider_config?: {};
  /**
   * LlamaFarm's Lemonade settings: `port` sets the default base_url (http://localhost:PORT/api/v1); the others are ignored.
   */
  lemonade?: {
    port?: number;
    backend?: string;
    context_size?: number;
    auto_download?: boolean;
  };
  /**
   * LlamaFarm field; accepted and ignored by lf.
   */
  keep_loaded?: boolean;
  /**
   * LlamaFarm field; accepted and ignored by lf.
   */
  think?: boolean;
  /**
   * LlamaFarm field; accepted and ignored by lf.
   */
  rag_enabled?: boolean;
  /**
   * LlamaFarm field; accepted and ignored by lf.
   */
  target_database?: string;
}
/**
 * Sampling parameters, mapped to each provider's own names. Other keys are passed through to OpenAI-compatible providers.
 */
export interface ModelApiParameters {
  temperature?: number;
  max_tokens?: number;
  top_p?: number;
  top_k?: number;
  stop?: string | string[];
  seed?: number;
  num_ctx?: number;
  repeat_penalty?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  [k: string]: unknown;
}
/**
 * Makes this named model a router that picks among other named models.
 */
export interface Router {
  strategy: "simple-shuffle" | "least-busy" | "usage-based" | "latency-based" | "cost-based" | "complexity";
  /**
   * @minItems 1
   */
  models: [
    (
      | string
      | {
          model: string;
          weight?: number;
          tier?: "simple" | "medium" | "complex" | "code" | "reasoning";
        }
    ),
    ...(
      | string
      | {
          model: string;
          weight?: number;
          tier?: "simple" | "medium" | "complex" | "code" | "reasoning";
        }
    )[]
  ];
  /**
   * latency-based: candidates within this fraction of the fastest are shuffled among.
   */
  tolerance?: number;
  /**
   * cost-based: output tokens assumed when estimating cost.
   */
  expected_output_tokens?: number;
}
export interface Limits {
  /**
   * Requests per minute.
   */
  rpm?: number;
  /**
   * Tokens per minute.
   */
  tpm?: number;
  /**
   * Requests in flight at once.
   */
  max_concurrent?: number;
  /**
   * Least time between two request starts.
   */
  min_interval?: number | string;
  /**
   * How long a request waits for this model's limit when no other model can take it.
   */
  max_wait?: number | string;
}
export interface Pricing {
  input_per_1k: Money;
  output_per_1k: Money;
}
export interface Capabilities {
  tools?: boolean;
  vision?: boolean;
  json?: boolean;
  /**
   * An embeddings model: it serves /v1/embeddings and not chat.
   */
  embeddings?: boolean;
}
export interface Timeouts {
  /**
   * Until the provider has answered: its response headers (for llamacpp, the model loaded and generating).
   */
  connect?: number | string;
  /**
   * Until the first output: text or a tool call.
   */
  first_token?: number | string;
  /**
   * Between two chunks, once output has started.
   */
  idle?: number | string;
  /**
   * The whole call; the request as a whole is bounded by the largest `total` of its candidates.
   */
  total?: number | string;
}
export interface Retries {
  /**
   * Attempts on the same model, the first included.
   */
  max_attempts?: number;
  initial_backoff?: Duration;
  max_backoff?: Duration;
  /**
   * Milliseconds as a number, or a string such as "250ms", "30s", "5m", "1h", "30d".
   */
  max_retry_after?: number | string;
}
export interface CircuitBreaker {
  /**
   * Consecutive failures that open the circuit.
   */
  failure_threshold?: number;
  /**
   * Or: a failure rate over `window` that opens it.
   */
  failure_rate?: number;
  window?: Duration;
  /**
   * Requests in the window before the rate counts.
   */
  min_requests?: number;
  /**
   * Milliseconds as a number, or a string such as "250ms", "30s", "5m", "1h", "30d".
   */
  cooldown?: number | string;
}
export interface Budget {
  /**
   * An amount in US dollars.
   */
  per_request?: number;
  daily?: Money;
  monthly?: Money;
}
/**
 * This model's response cache: turns it on for this model alone, or overrides the project's `cache` field by field (`enabled: false` turns it off).
 */
export interface Cache {
  /**
   * Default true where a cache block applies.
   */
  enabled?: boolean;
  /**
   * Milliseconds as a number, or a string such as "250ms", "30s", "5m", "1h", "30d".
   */
  ttl?: number | string;
  /**
   * Answers kept per model; the oldest go first.
   */
  max_entries?: number;
  /**
   * Also cache requests with a temperature above 0 (whose answers vary by design).
   */
  temperature?: boolean;
}
/**
 * A function tool, written as LlamaFarm writes it ({type, name, description, parameters}) or as OpenAI's API does ({type, function: {name, description, parameters}}).
 */
export interface Tool {
  type?: "function";
  /**
   * Letters, digits, _ and -, at most 64.
   */
  name?: string;
  /**
   * May hold {{variable}} and {{variable | default}}, filled from the request's variables.
   */
  description?: string;
  /**
   * JSON Schema of the arguments object; default: no arguments.
   */
  parameters?: {};
  function?: {
    /**
     * Letters, digits, _ and -, at most 64.
     */
    name: string;
    description?: string;
    /**
     * JSON Schema of the arguments object.
     */
    parameters?: {};
    strict?: boolean;
  };
}
export interface McpServer {
  name: Identifier;
  transport: "stdio" | "http" | "sse";
  /**
   * stdio: the program to start.
   */
  command?: string;
  args?: string[];
  /**
   * stdio: environment of the server (use ${env:VAR} for secrets).
   */
  env?: {
    [k: string]: string;
  };
  /**
   * stdio: working folder, relative to the project folder.
   */
  cwd?: string;
  /**
   * http / sse: the server's URL.
   */
  base_url?: string;
  /**
   * http / sse: headers sent with every request.
   */
  headers?: {
    [k: string]: string;
  };
  /**
   * Milliseconds as a number, or a string such as "250ms", "30s", "5m", "1h", "30d".
   */
  timeout?: number | string;
  /**
   * The models bound to this server must not answer without it: while it cannot be used, such a model is passed over (its fallbacks answer) or the request fails with 503 naming the server. Without it, the model answers without the server's tools, and the answer says so (`x-lf-tools-missing`).
   */
  required?: boolean;
}
export interface Server {
  /**
   * Loopback unless told otherwise.
   */
  host?: string;
  port?: number;
  /**
   * When set, every route but /health needs `Authorization: Bearer KEY`.
   */
  api_keys?: ApiKey[];
  body_limit?: string;
  /**
   * Host names (with or without a port) a request's Host header may carry besides loopback names, when the server is bound to loopback: for a reverse proxy on the same machine. Other Host headers get 403 (DNS rebinding).
   */
  allowed_hosts?: string[];
  /**
   * Cross-origin requests from web pages.
   */
  cors?: {
    /**
     * Origins (`https://app.example.com`) whose pages may call the API; `*` for any. None by default.
     */
    origins?: string[];
  };
  /**
   * How long `lf serve` waits on a client.
   */
  timeouts?: {
    /**
     * Milliseconds as a number, or a string such as "250ms", "30s", "5m", "1h", "30d".
     */
    headers?: number | string;
    /**
     * Milliseconds as a number, or a string such as "250ms", "30s", "5m", "1h", "30d".
     */
    request?: number | string;
    /**
     * Milliseconds as a number, or a string such as "250ms", "30s", "5m", "1h", "30d".
     */
    keep_alive?: number | string;
  };
  /**
   * Open connections at once; one more is answered 503 and closed.
   */
  max_connections?: number;
  /**
   * The web console `lf serve` serves at `/` and `/console/`: `false` turns it off (both answer 404). `record_bodies: true` keeps the messages and answers of this project's recent requests in memory for the console's request view, secrets masked as in the logs.
   */
  console?:
    | boolean
    | {
        /**
         * Default false. Keep each recent request's messages and answer for the console (in memory, the last few hundred requests).
         */
        record_bodies?: boolean;
      };
  /**
   * Open connections from one client address at once, when bound beyond loopback (on loopback every client has the same address); one more is answered 503 and closed.
   */
  max_connections_per_client?: number;
}
export interface State {
  /**
   * Share limits, breakers, latency and spend between instances.
   */
  redis_url?: string;
  key_prefix?: string;
}
export interface ProjectBudget {
  per_request?: Money;
  daily?: Money;
  monthly?: Money;
  /**
   * Models (cheaper or local) that take requests once a budget is spent; empty: refuse with 429 budget_exceeded.
   */
  when_exceeded?: string[];
}
export interface Cache1 {
  /**
   * Default true where a cache block applies.
   */
  enabled?: boolean;
  /**
   * Milliseconds as a number, or a string such as "250ms", "30s", "5m", "1h", "30d".
   */
  ttl?: number | string;
  /**
   * Answers kept per model; the oldest go first.
   */
  max_entries?: number;
  /**
   * Also cache requests with a temperature above 0 (whose answers vary by design).
   */
  temperature?: boolean;
}
