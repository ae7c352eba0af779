import type { LatencyStats } from "../../state/index.js";

/** Milliseconds to a full answer of `outputTokens` from the model's averages; undefined before any sample. */
export function expectedLatency(latency: LatencyStats | undefined, outputTokens: number): number | undefined {
  if (latency?.ttftMs === undefined) return undefined;
  return latency.ttftMs + (latency.msPerToken ?? 0) * Math.max(0, outputTokens - 1);
}
