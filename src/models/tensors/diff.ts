/**
 * Weight comparison in float64. Per tensor: L2 norms of a and b, L2 of a − b, relative change ‖a−b‖/‖a‖ (0 when
 * both are 0, null when only ‖a‖ is 0), cosine a·b/(‖a‖‖b‖) (null when either norm is 0), and the fraction of
 * elements with |a_i − b_i| > tolerance (NaN = NaN counts as unchanged). The summary does the same over all
 * compared tensors as one vector.
 */

export interface Tensor {
  name: string;
  dtype: string;
  shape: number[];
  values(): Float64Array;
}

export interface DiffOptions {
  /** Elements closer than or equal to this count as unchanged (default 0: any difference counts). */
  tolerance?: number;
}

import type { DiffSummary, TensorDiff, TensorDiffStatus, WeightsDiff } from '../../api/index.js';

export type { DiffSummary, TensorDiff, TensorDiffStatus, WeightsDiff };

interface Sums {
  a2: number;
  b2: number;
  d2: number;
  dot: number;
  n: number;
  changed: number;
  maxAbs: number;
}

const relative = (normDiff: number, normA: number): number | null =>
  normA === 0 ? (normDiff === 0 ? 0 : null) : normDiff / normA;
const cosineOf = (dot: number, normA: number, normB: number): number | null =>
  normA === 0 || normB === 0 ? null : dot / (normA * normB);

function sums(a: Float64Array, b: Float64Array, tolerance: number): Sums {
  const s: Sums = { a2: 0, b2: 0, d2: 0, dot: 0, n: a.length, changed: 0, maxAbs: 0 };
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    const d = x - y;
    s.a2 += x * x;
    s.b2 += y * y;
    s.d2 += d * d;
    s.dot += x * y;
    const abs = Math.abs(d);
    if (x !== y && !(abs <= tolerance) && !(Number.isNaN(x) && Number.isNaN(y))) s.changed++;
    if (abs > s.maxAbs) s.maxAbs = abs;
  }
  return s;
}

const sameShape = (a: number[], b: number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
const product = (shape: number[]) => shape.reduce((n, d) => n * d, 1);

function onlyOne(t: Tensor, status: 'added' | 'removed'): TensorDiff {
  const side = status === 'removed';
  return {
    name: t.name,
    status,
    shapeA: side ? t.shape : null,
    shapeB: side ? null : t.shape,
    dtypeA: side ? t.dtype : null,
    dtypeB: side ? null : t.dtype,
    size: product(t.shape),
    normA: null,
    normB: null,
    normDiff: null,
    relativeChange: null,
    cosine: null,
    changed: null,
    fractionChanged: null,
    maxAbsDiff: null,
  };
}

/** Compares tensors by name: a's order first, then those only in b. */
export function diffTensors(
  a: readonly Tensor[],
  b: readonly Tensor[],
  options: DiffOptions = {},
): WeightsDiff {
  const tolerance = options.tolerance ?? 0;
  const byName = new Map(b.map((t) => [t.name, t]));
  const seen = new Set<string>();
  const total: Sums = { a2: 0, b2: 0, d2: 0, dot: 0, n: 0, changed: 0, maxAbs: 0 };
  const tensors: TensorDiff[] = [];
  for (const ta of a) {
    const tb = byName.get(ta.name);
    seen.add(ta.name);
    if (!tb) {
      tensors.push(onlyOne(ta, 'removed'));
      continue;
    }
    if (!sameShape(ta.shape, tb.shape)) {
      tensors.push({
        ...onlyOne(ta, 'removed'),
        status: 'shape-mismatch',
        shapeB: tb.shape,
        dtypeB: tb.dtype,
      });
      continue;
    }
    const s = sums(ta.values(), tb.values(), tolerance);
    for (const k of ['a2', 'b2', 'd2', 'dot', 'n', 'changed'] as const) total[k] += s[k];
    const normA = Math.sqrt(s.a2);
    const normB = Math.sqrt(s.b2);
    const normDiff = Math.sqrt(s.d2);
    tensors.push({
      name: ta.name,
      status: 'compared',
      shapeA: ta.shape,
      shapeB: tb.shape,
      dtypeA: ta.dtype,
      dtypeB: tb.dtype,
      size: s.n,
      normA,
      normB,
      normDiff,
      relativeChange: relative(normDiff, normA),
      cosine: cosineOf(s.dot, normA, normB),
      changed: s.changed,
      fractionChanged: s.n === 0 ? 0 : s.changed / s.n,
      maxAbsDiff: s.maxAbs,
    });
  }
  for (const tb of b) if (!seen.has(tb.name)) tensors.push(onlyOne(tb, 'added'));
  return { tolerance, tensors, summary: summarize(tensors, total) };
}

function summarize(tensors: TensorDiff[], total: Sums): DiffSummary {
  const count = (status: TensorDiffStatus) => tensors.filter((t) => t.status === status).length;
  const normA = Math.sqrt(total.a2);
  const normB = Math.sqrt(total.b2);
  const normDiff = Math.sqrt(total.d2);
  let largest: DiffSummary['largestChange'] = null;
  for (const t of tensors) {
    if (t.status !== 'compared') continue;
    const r = t.relativeChange ?? Number.POSITIVE_INFINITY;
    const best = largest ? (largest.relativeChange ?? Number.POSITIVE_INFINITY) : -1;
    if (r > best) largest = { name: t.name, relativeChange: t.relativeChange };
  }
  return {
    compared: count('compared'),
    added: count('added'),
    removed: count('removed'),
    shapeMismatch: count('shape-mismatch'),
    parameters: total.n,
    changedParameters: total.changed,
    fractionChanged: total.n === 0 ? 0 : total.changed / total.n,
    normA,
    normB,
    normDiff,
    relativeChange: relative(normDiff, normA),
    cosine: cosineOf(total.dot, normA, normB),
    largestChange: largest,
  };
}
