import { FEATURE_DIM, FEATURES_VERSION } from "./complexity-features.js";
import { TIERS, type Tier } from "./router-spec.js";
import { readFileSync } from "node:fs";

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

/**
 * The model in the shape the classifier reads: a dense table, `TIERS.length` weights per bucket, kept
 * as the file's integers (weight × scale). Ranking tiers needs no division, and 16 bits a weight halve
 * the memory a decision walks through.
 */
export interface ComplexityModel {
  table: Int16Array;
  scale: number;
  tierCount: number;
}

let loaded: ComplexityModel | undefined;

/**
 * Read and built on first use, so a process that never routes by complexity (most CLI commands, a
 * project without such a router) neither parses the weights nor holds their table.
 */
export function complexityModel(): ComplexityModel {
  loaded ??= buildModel(JSON.parse(readFileSync(new URL("./complexity-weights.json", import.meta.url), "utf8")) as ComplexityWeightsFile);
  return loaded;
}

export function buildModel(file: ComplexityWeightsFile): ComplexityModel {
  if (file.version !== 1 || file.features !== FEATURES_VERSION || file.dim !== FEATURE_DIM) {
    throw new Error(`complexity-weights.json was trained for features v${file.features} (dim ${file.dim}); this runtime computes v${FEATURES_VERSION} (dim ${FEATURE_DIM}). Retrain: npm run train:routing.`);
  }
  if (file.tiers.join() !== TIERS.join()) throw new Error(`complexity-weights.json lists tiers ${file.tiers.join(", ")}, expected ${TIERS.join(", ")}.`);
  const k = TIERS.length;
  const table = new Int16Array(file.dim * k);
  let bucket = 0;
  for (let i = 0; i < file.buckets.length; i++) {
    bucket += file.buckets[i]!;
    for (let t = 0; t < k; t++) {
      const weight = file.weights[i * k + t]!;
      if (!Number.isInteger(weight) || weight < -32768 || weight > 32767) throw new Error(`complexity-weights.json: weight ${weight} of bucket ${bucket} is not a 16-bit integer.`);
      table[bucket * k + t] = weight;
    }
  }
  return { table, scale: file.scale, tierCount: k };
}

export const tierAt = (index: number): Tier => TIERS[index]!;
