import type { Clock, Random } from "../../core/index.js";
import type { LatencyStats } from "../../state/index.js";
import type { RequestFeatures } from "../request-features.js";
import type { RoutableModel } from "../routable-model.js";
import type { RouterMember, RouterSpec } from "../router-spec.js";

/** A member that can take the request, with what the state store knows of its load. */
export interface CandidateStats {
  model: RoutableModel;
  member: RouterMember;
  inFlight: number;
  rpmUsed: number;
  tpmUsed: number;
  latency: LatencyStats | undefined;
}

export interface ScoredCandidate {
  model: RoutableModel;
  /** The strategy's own measure (weight share, requests in flight, dollars...), named in `reason`. */
  score: number | null;
  reason: string;
}

export interface StrategyContext {
  spec: RouterSpec;
  features: RequestFeatures;
  clock: Clock;
  random: Random;
}

/** Orders the candidates, best first. Pure: everything it reads is passed in. */
export type RoutingStrategy = (candidates: readonly CandidateStats[], context: StrategyContext) => ScoredCandidate[];
