import { FEATURE_DIM, FEATURES_VERSION } from "./complexity-features.js";
import { TIERS, type Tier } from "./router-spec.js";
import weightsFile from "./complexity-weights.json" with { type: "json" };

/**
 * The shape of complexity-weights.json, written by bench/routing/train.ts: a multinomial logistic
 * regression over the hashed features, sparse (only buckets whose weights survived pruning) and
 * rounded to integers of 1/scale.
 */
export interface ComplexityWeightsFile {
  version: number;
  features: number;
  dim: number;
  tiers: string[];
  scale: number;
  /** Bucket numbers as gaps from the previous one. */
  buckets: number[];
  /** `tiers.length` integers per bucket, in bucket order. */
  weights: number[];
  trained?: Record<string, unknown>;
}

/** The model in the shape the classifier reads: a dense table, `TIERS.length` weights per bucket. */
export interface ComplexityModel {
  table: Float32Array;
  tierCount: number;
}

let loaded: ComplexityModel | undefined;

/** Built on first use, so a project without a complexity router does not pay for it. */
export function complexityModel(): ComplexityModel {
  loaded ??= buildModel(weightsFile as unknown as ComplexityWeightsFile);
  return loaded;
}

export function buildModel(file: ComplexityWeightsFile): ComplexityModel {
  if (file.version !== 1 || file.features !== FEATURES_VERSION || file.dim !== FEATURE_DIM) {
    throw new Error(`complexity-weights.json was trained for features v${file.features} (dim ${file.dim}); this runtime computes v${FEATURES_VERSION} (dim ${FEATURE_DIM}). Retrain: npm run train:routing.`);
  }
  if (file.tiers.join() !== TIERS.join()) throw new Error(`complexity-weights.json lists tiers ${file.tiers.join(", ")}, expected ${TIERS.join(", ")}.`);
  const k = TIERS.length;
  const table = new Float32Array(file.dim * k);
  let bucket = 0;
  for (let i = 0; i < file.buckets.length; i++) {
    bucket += file.buckets[i]!;
    for (let t = 0; t < k; t++) table[bucket * k + t] = file.weights[i * k + t]! / file.scale;
  }
  return { table, tierCount: k };
}

export const tierAt = (index: number): Tier => TIERS[index]!;
