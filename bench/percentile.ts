/** Nearest-rank percentile of an ascending list (0 for an empty one), shared by the benchmarks. */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/** Sorts in place, ascending, and returns the list. */
export const ascending = (xs: number[]): number[] => xs.sort((a, b) => a - b);
