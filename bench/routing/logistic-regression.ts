import type { SparseVector } from "./sparse-vector.js";

export interface TrainParams {
  /** L1 penalty: the larger, the more weights are exactly zero. */
  l1: number;
  /** L2 penalty. */
  l2: number;
  /** FTRL's beta: smooths the first steps of each weight (1 in the paper). */
  beta?: number;
  epochs: number;
  learningRate: number;
  seed: number;
}

export interface Example {
  x: SparseVector;
  /** The target distribution over tiers (sums to 1). */
  y: Float64Array;
}

/**
 * Multinomial logistic regression over hashed features, trained by FTRL-Proximal (McMahan et al., "Ad
 * Click Prediction: a View from the Trenches", 2013): per-coordinate adaptive steps like AdaGrad, and an
 * L1 penalty that sets most rarely useful weights to exactly zero, which keeps the weights file small.
 * Examples are visited in a seeded order: same data and seed, same weights.
 */
export function trainLogistic(examples: readonly Example[], dim: number, k: number, params: TrainParams): Float64Array {
  const z = new Float64Array(dim * k);
  const n = new Float64Array(dim * k);
  const w = new Float64Array(dim * k);
  const { learningRate: alpha, l1, l2 } = params;
  const beta = params.beta ?? 1;
  const weightOf = (j: number) => {
    const zj = z[j]!;
    if (Math.abs(zj) <= l1) return 0;
    return -(zj - Math.sign(zj) * l1) / ((beta + Math.sqrt(n[j]!)) / alpha + l2);
  };
  const order = examples.map((_, i) => i);
  const random = mulberry32(params.seed);
  const p = new Float64Array(k);
  for (let epoch = 0; epoch < params.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const e of order) {
      const { x, y } = examples[e]!;
      for (let m = 0; m < x.index.length; m++) {
        const base = x.index[m]! * k;
        for (let t = 0; t < k; t++) w[base + t] = weightOf(base + t);
      }
      scoresInto(w, k, x, p);
      softmaxInPlace(p);
      for (let m = 0; m < x.index.length; m++) {
        const base = x.index[m]! * k;
        const v = x.value[m]!;
        for (let t = 0; t < k; t++) {
          const j = base + t;
          const g = (p[t]! - y[t]!) * v;
          const sigma = (Math.sqrt(n[j]! + g * g) - Math.sqrt(n[j]!)) / alpha;
          z[j] = z[j]! + g - sigma * w[j]!;
          n[j] = n[j]! + g * g;
        }
      }
    }
  }
  for (let j = 0; j < w.length; j++) w[j] = weightOf(j);
  return w;
}

export function scoresInto(w: ArrayLike<number>, k: number, x: SparseVector, out: Float64Array): Float64Array {
  out.fill(0);
  for (let n = 0; n < x.index.length; n++) {
    const base = x.index[n]! * k;
    const v = x.value[n]!;
    for (let t = 0; t < k; t++) out[t] = out[t]! + w[base + t]! * v;
  }
  return out;
}

export function argmax(scores: ArrayLike<number>): number {
  let best = 0;
  for (let t = 1; t < scores.length; t++) if (scores[t]! > scores[best]!) best = t;
  return best;
}

function softmaxInPlace(p: Float64Array): void {
  let max = -Infinity;
  for (const v of p) max = Math.max(max, v);
  let sum = 0;
  for (let t = 0; t < p.length; t++) {
    p[t] = Math.exp(p[t]! - max);
    sum += p[t]!;
  }
  for (let t = 0; t < p.length; t++) p[t] = p[t]! / sum;
}

/** Zeroes buckets whose largest weight is under `threshold`, rounds the rest to 1/scale. */
export function pruneAndRound(w: Float64Array, k: number, threshold: number, scale: number): Float64Array {
  const out = new Float64Array(w.length);
  for (let base = 0; base < w.length; base += k) {
    let max = 0;
    for (let t = 0; t < k; t++) max = Math.max(max, Math.abs(w[base + t]!));
    if (max < threshold) continue;
    for (let t = 0; t < k; t++) out[base + t] = Math.round(w[base + t]! * scale) / scale;
  }
  return out;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
