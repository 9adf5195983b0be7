/**
 * Min/max-preserving downsampling: split a series into equal index buckets and keep each bucket's lowest and
 * highest point, so spikes survive and a million points draw like the original in `maxPoints`.
 */

/** `[start, end)` index ranges of the buckets used for `n` points and a budget of `maxPoints` (≥ 2). */
export function bucketBounds(n: number, maxPoints: number): Array<[number, number]> {
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const out: Array<[number, number]> = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    if (end > start) out.push([start, end]);
  }
  return out;
}

/** Indices (ascending) of the points to keep: all of them when `n ≤ maxPoints`, else each bucket's min and max. */
export function minMaxIndices(values: ArrayLike<number>, maxPoints: number): number[] {
  const n = values.length;
  if (n <= maxPoints) return Array.from({ length: n }, (_, k) => k);
  const keep: number[] = [];
  for (const [start, end] of bucketBounds(n, Math.max(2, maxPoints))) {
    let lo = -1;
    let hi = -1;
    for (let k = start; k < end; k++) {
      const x = values[k]!;
      if (Number.isNaN(x)) continue;
      if (lo < 0 || x < values[lo]!) lo = k;
      if (hi < 0 || x > values[hi]!) hi = k;
    }
    if (lo < 0) keep.push(start);
    else if (lo === hi) keep.push(lo);
    else keep.push(Math.min(lo, hi), Math.max(lo, hi));
  }
  return keep;
}
