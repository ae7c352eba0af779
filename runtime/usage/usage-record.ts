/** One request, as the ledger keeps it. Times are epoch milliseconds; money is US dollars. */
export interface UsageRecord {
  /** When the request started. */
  at: number;
  /** `namespace/name`. */
  project: string;
  /** The model or router the request named (or the default). */
  requestedModel: string;
  /** The model that answered; undefined when none did. */
  servedModel: string | undefined;
  provider: string | undefined;
  inputTokens: number;
  outputTokens: number;
  /** The provider reported no usage: the tokens are estimated (about four characters each). */
  estimated: boolean;
  /** Undefined when the serving model has no known price. */
  costUsd: number | undefined;
  latencyMs: number;
  /** Time to the first output part; undefined when nothing came. */
  ttftMs: number | undefined;
  outcome: "ok" | "error";
  /** The `LfError` code of a failed request (`aborted` when the client went away). */
  errorCode: string | undefined;
  /** Models tried or passed over before the one that answered (0: the first choice answered). */
  fallbackDepth: number;
  sessionId: string | undefined;
  /** The request's id (`x-request-id`), when it came through the server. */
  requestId?: string | undefined;
  /** Answered from the response cache (its cost is 0). */
  cacheHit?: boolean | undefined;
  /** What a cache hit would have cost had a model answered. */
  savedCostUsd?: number | undefined;
  /** The name of the API key the request came with. */
  keyName?: string | undefined;
}
