/**
 * Every top-level section, model field and MCP server field that LlamaFarm's project schema has defined
 * (config/schema.yaml from its first release, 0.0.1, to 0.0.27 and the sections added after it), and what
 * lf does with each. This table is the one list: `lf validate`'s warnings read it, the legacy reader
 * handles the `rewritten` rows, a test holds the schema to it, and schema/README.md documents it.
 *
 * A key that is in neither this table nor lf's schema is an error with "did you mean", so typos are
 * still caught.
 */

/** Where a field sits: the top level, a model, an MCP server, or one of LlamaFarm's older shapes. */
export type FieldPlace = "project" | "model" | "mcp-server" | "legacy-runtime" | "legacy-prompt";

export interface LlamaFarmField {
  place: FieldPlace;
  name: string;
  /** The LlamaFarm releases whose schema (or documentation, for `default` and `lemonade`) defines it. */
  versions: string;
  /**
   * `implemented`: lf does what LlamaFarm does with it. `rewritten`: an older shape lf reads into the
   * current one. `ignored`: accepted, and `lf validate` warns with `instead`.
   */
  lf: "implemented" | "rewritten" | "ignored";
  /** For an ignored field: what lf does instead, said in the warning. */
  instead?: string;
  /** Values that ask for what lf does anyway, so they draw no warning. */
  quietFor?: readonly unknown[];
}

const NO_RAG = "lf has no retrieval; models answer from their prompts and the conversation";

export const LLAMAFARM_FIELDS: readonly LlamaFarmField[] = [
  { place: "project", name: "version", versions: "0.0.1+", lf: "implemented" },
  { place: "project", name: "name", versions: "0.0.1+", lf: "implemented" },
  { place: "project", name: "namespace", versions: "0.0.1+", lf: "implemented" },
  { place: "project", name: "prompts", versions: "0.0.1+", lf: "implemented" },
  { place: "project", name: "runtime", versions: "0.0.1+", lf: "implemented" },
  { place: "project", name: "mcp", versions: "0.0.10+", lf: "implemented" },
  { place: "project", name: "rag", versions: "0.0.1+", lf: "ignored", instead: NO_RAG },
  { place: "project", name: "datasets", versions: "0.0.1+", lf: "ignored", instead: NO_RAG },
  { place: "project", name: "components", versions: "0.0.26+", lf: "ignored", instead: NO_RAG },
  { place: "project", name: "voice", versions: "0.0.26+", lf: "ignored", instead: "lf serves text chat only; there is no speech endpoint" },
  { place: "project", name: "schema", versions: "after 0.0.27", lf: "ignored", instead: "lf loads no Python classes; ask for JSON with the request's response_format" },
  { place: "project", name: "agents", versions: "after 0.0.27", lf: "ignored", instead: "lf runs no agents; a model with MCP tools runs its own tool loop" },
  { place: "project", name: "nodes", versions: "after 0.0.27", lf: "ignored", instead: "lf serves from this process only; several lf serve instances share state through state.redis_url" },
  { place: "project", name: "router", versions: "after 0.0.27", lf: "ignored", instead: "lf routes with router models, each a model with a router: block, not by embeddings" },
  { place: "project", name: "memory", versions: "after 0.0.27", lf: "ignored", instead: "lf keeps no memory stores; lf serve keeps a conversation per X-Session-ID" },
  { place: "project", name: "ml", versions: "after 0.0.27", lf: "ignored", instead: "lf runs chat models only, no classifiers or anomaly detectors" },
  { place: "project", name: "custom_code", versions: "after 0.0.27", lf: "ignored", instead: "lf loads no tool code; give the model an MCP server in mcp.servers that runs it" },
  { place: "project", name: "environments", versions: "after 0.0.27", lf: "ignored", instead: "lf deploys nothing; run lf serve where the project should answer" },
  { place: "project", name: "models", versions: "before 0.0.1", lf: "ignored", instead: "lf reads its models from runtime.models" },

  { place: "model", name: "name", versions: "0.0.8+", lf: "implemented" },
  { place: "model", name: "description", versions: "0.0.8+", lf: "implemented" },
  { place: "model", name: "provider", versions: "0.0.1+", lf: "implemented" },
  { place: "model", name: "model", versions: "0.0.1+", lf: "implemented" },
  { place: "model", name: "base_url", versions: "0.0.1+", lf: "implemented" },
  { place: "model", name: "api_key", versions: "0.0.1+", lf: "implemented" },
  { place: "model", name: "default", versions: "0.0.8+ (documented)", lf: "implemented" },
  { place: "model", name: "model_api_parameters", versions: "0.0.1+", lf: "implemented" },
  { place: "model", name: "extra_body", versions: "0.0.15+", lf: "implemented" },
  { place: "model", name: "prompts", versions: "0.0.9+", lf: "implemented" },
  { place: "model", name: "mcp_servers", versions: "0.0.12+", lf: "implemented" },
  { place: "model", name: "tool_call_strategy", versions: "0.0.10+", lf: "implemented" },
  { place: "model", name: "tools", versions: "0.0.15+", lf: "implemented" },
  { place: "model", name: "tools_mode", versions: "after 0.0.27", lf: "implemented" },
  { place: "model", name: "prompts_mode", versions: "after 0.0.27", lf: "implemented" },
  {
    place: "model",
    name: "prompt_format",
    versions: "0.0.5-0.0.11",
    lf: "ignored",
    instead: "lf always sends plain chat messages, as unstructured does",
    quietFor: ["unstructured"],
  },
  { place: "model", name: "instructor_mode", versions: "0.0.2+", lf: "ignored", instead: "lf does not wrap calls in Instructor; ask for JSON with the request's response_format" },
  { place: "model", name: "provider_config", versions: "0.0.8-0.0.9", lf: "ignored", instead: "lf takes provider settings from base_url, api_key, headers and extra_body" },
  { place: "model", name: "lemonade", versions: "0.0.8+ (documented)", lf: "implemented" },
  { place: "model", name: "think", versions: "0.0.10-0.0.11", lf: "ignored", instead: "lf sends no thinking switch; put the server's own field in extra_body", quietFor: [false] },
  { place: "model", name: "encoder_config", versions: "0.0.21+", lf: "ignored", instead: "lf serves chat models only, no embedding, classification or reranking endpoints" },
  { place: "model", name: "keep_loaded", versions: "0.0.26+", lf: "ignored", instead: "a llamacpp model stays loaded while lf runs; other providers manage their own memory", quietFor: [false] },
  { place: "model", name: "rag_enabled", versions: "0.0.27+", lf: "ignored", instead: NO_RAG, quietFor: [false] },
  { place: "model", name: "target_database", versions: "0.0.27+", lf: "ignored", instead: NO_RAG },

  { place: "mcp-server", name: "name", versions: "0.0.10+", lf: "implemented" },
  { place: "mcp-server", name: "transport", versions: "0.0.10+", lf: "implemented" },
  { place: "mcp-server", name: "command", versions: "0.0.10+", lf: "implemented" },
  { place: "mcp-server", name: "args", versions: "0.0.10+", lf: "implemented" },
  { place: "mcp-server", name: "env", versions: "0.0.10+", lf: "implemented" },
  { place: "mcp-server", name: "base_url", versions: "0.0.10+", lf: "implemented" },
  { place: "mcp-server", name: "headers", versions: "0.0.10+", lf: "implemented" },

  // LlamaFarm 0.0.1-0.0.7: one model, written in `runtime` itself; lf reads it as a model named "default".
  { place: "legacy-runtime", name: "provider", versions: "0.0.1-0.0.7", lf: "rewritten" },
  { place: "legacy-runtime", name: "model", versions: "0.0.1-0.0.7", lf: "rewritten" },
  { place: "legacy-runtime", name: "base_url", versions: "0.0.1-0.0.7", lf: "rewritten" },
  { place: "legacy-runtime", name: "api_key", versions: "0.0.1-0.0.7", lf: "rewritten" },
  { place: "legacy-runtime", name: "model_api_parameters", versions: "0.0.1-0.0.7", lf: "rewritten" },
  { place: "legacy-runtime", name: "instructor_mode", versions: "0.0.2-0.0.7", lf: "rewritten" },
  { place: "legacy-runtime", name: "prompt_format", versions: "0.0.5-0.0.7", lf: "rewritten" },
  // LlamaFarm 0.0.1: prompts as sections or raw text; 0.0.2-0.0.8: prompts as bare messages.
  { place: "legacy-prompt", name: "sections", versions: "0.0.1", lf: "rewritten" },
  { place: "legacy-prompt", name: "raw_text", versions: "0.0.1", lf: "rewritten" },
  { place: "legacy-prompt", name: "role", versions: "0.0.2-0.0.8", lf: "rewritten" },
  { place: "legacy-prompt", name: "content", versions: "0.0.2-0.0.8", lf: "rewritten" },
];

/** The ignored fields of one place, by name. */
export function ignoredFields(place: FieldPlace): ReadonlyMap<string, LlamaFarmField> {
  return new Map(LLAMAFARM_FIELDS.filter((f) => f.place === place && f.lf === "ignored").map((f) => [f.name, f]));
}
