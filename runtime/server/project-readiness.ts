import type { LedgerBacklog } from "../usage/index.js";
import type { ModelReachability } from "./model-health.js";

/** What `/health/ready` and `lf status` show of one served project. */
export interface ProjectReadiness {
  id: string | null;
  file: string;
  loaded: boolean;
  loaded_at: string | null;
  config_error: { at: string; findings: string[] } | null;
  models: Array<{ name: string; provider: string | null; router: string | null; circuit: string | null; unavailable: string | null } & ModelReachability>;
  /** Each MCP server: its state, and why it last failed (its command or URL named). */
  mcp: Array<{ name: string; required: boolean; state: string; last_error: string | null }>;
  /** Where sessions are kept, and whether that answers now. */
  sessions: { store: string; reachable: boolean; detail?: string } | null;
  /** The usage ledger: local SQLite, or PostgreSQL with the rows still waiting to be shipped to it. */
  usage: ({ store: string } & Partial<LedgerBacklog>) | null;
}
