import { emitFeatures, type ConversationView } from "../../runtime/routing/complexity-features.js";

export interface SparseVector {
  index: Int32Array;
  value: Float64Array;
}

/** The features the runtime computes, summed per bucket. */
export function featureVector(view: ConversationView): SparseVector {
  const sums = new Map<number, number>();
  emitFeatures(view, { group() {}, add: (h, v) => sums.set(h, (sums.get(h) ?? 0) + v) });
  const index = Int32Array.from(sums.keys());
  const value = Float64Array.from(sums.values());
  return { index, value };
}
