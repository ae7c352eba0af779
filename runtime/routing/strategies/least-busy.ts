import { rankBy } from "./rank-by.js";
import type { RoutingStrategy } from "./routing-strategy.js";

/** Fewest requests in flight first (counted in the shared state store, so across instances too). */
export const leastBusy: RoutingStrategy = (candidates, { random }) =>
  rankBy(candidates, (c) => c.inFlight, "asc", random).map((c) => ({
    model: c.model,
    score: c.inFlight,
    reason: `${c.inFlight} in flight`,
  }));
