import type { SparseVector } from "./sparse-vector.js";

export interface TrainParams {
  /** L2 penalty on the weights a step touches. */
  l2: number;
  epochs: number;
  learningRate: number;
  seed: number;
}

export interface Example {
  x: SparseVector;
  /** The target distribution over tiers (sums to 1). */
  y: Float64Array;
}

/** Multinomial logistic regression over hashed features, AdaGrad steps in a seeded order: same data and seed, same weights. */
export function trainLogistic(examples: readonly Example[], dim: number, k: number, params: TrainParams): Float64Array {
  const w = new Float64Array(dim * k);
  const g2 = new Float64Array(dim * k).fill(1e-8);
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
      scoresInto(w, k, x, p);
      softmaxInPlace(p);
      for (let n = 0; n < x.index.length; n++) {
        const base = x.index[n]! * k;
        const v = x.value[n]!;
        for (let t = 0; t < k; t++) {
          const grad = (p[t]! - y[t]!) * v + params.l2 * w[base + t]!;
          const sum = g2[base + t]! + grad * grad;
          g2[base + t] = sum;
          w[base + t] = w[base + t]! - (params.learningRate * grad) / Math.sqrt(sum);
        }
      }
    }
  }
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
