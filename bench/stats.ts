/** Order statistics over raw samples; the load generator's own histogram rounds to whole milliseconds. */
export interface Summary {
  count: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(samples: ArrayLike<number>): Summary {
  const sorted = Float64Array.from(samples).sort();
  const count = sorted.length;
  if (count === 0) return { count, mean: NaN, p50: NaN, p99: NaN, max: NaN };
  let sum = 0;
  for (const value of sorted) sum += value;
  return { count, mean: sum / count, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[count - 1]! };
}

/** Nearest-rank percentile of ascending samples. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

/** A growable float buffer: a load run records one latency per response, tens of thousands of them. */
export class SampleBuffer {
  private data = new Float64Array(4096);
  private size = 0;

  push(value: number): void {
    if (this.size === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.size++] = value;
  }

  get length(): number {
    return this.size;
  }

  values(): Float64Array {
    return this.data.subarray(0, this.size);
  }
}
