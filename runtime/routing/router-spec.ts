export type StrategyName = "simple-shuffle" | "least-busy" | "usage-based" | "latency-based" | "cost-based" | "complexity";

export type Tier = "simple" | "medium" | "complex" | "code" | "reasoning";

export const TIERS: readonly Tier[] = ["simple", "medium", "complex", "code", "reasoning"];

export interface RouterMember {
  model: string;
  weight?: number;
  tier?: Tier;
}

/** A named model that routes: which strategy, over which members. */
export interface RouterSpec {
  strategy: StrategyName;
  members: RouterMember[];
  /** latency-based: candidates within this fraction of the fastest are shuffled among. */
  tolerance?: number;
  /** Output tokens assumed when estimating cost and latency (else the request's max_tokens). */
  expectedOutputTokens?: number;
  /** complexity: a tier's model, for members that do not name their tier. */
  tiers?: Partial<Record<Tier, string>>;
}
