/**
 * ASHA (asynchronous successive halving, Li et al. 2018), as Ray Tune's AsyncHyperBand runs it: rungs at
 * minResource·eta^k epochs; a trial reaching a rung is compared with what earlier trials recorded there and
 * stopped when below the top 1/eta of them, else goes on. Nobody waits for a rung to fill, so parallel trials
 * never idle; the first trials at a rung always go on. Pure: the recorded values are plain data in the sweep doc.
 */
import type { AshaOptions } from '../api/sweeps.js';

export const DEFAULT_ETA = 3;

/** The rungs' resources, ascending: minResource·eta^k below maxResource (the end is no decision point). */
export function rungsOf(o: AshaOptions): number[] {
  const eta = o.eta ?? DEFAULT_ETA;
  const out: number[] = [];
  for (let r = o.minResource ?? 1; r < o.maxResource; r *= eta) out.push(Math.round(r));
  return [...new Set(out)];
}

/** numpy's `percentile` with linear interpolation; q in [0, 1]. */
export function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  // Equal ends return as is: −∞ − −∞ would make the interpolation NaN.
  return s[lo] === s[hi] ? s[lo]! : s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export interface AshaDecision {
  rung: number;
  /** Below the cutoff: the trial stops here. */
  stop: boolean;
  /** The (1 − 1/eta) quantile of the values recorded at the rung before this one; null when it was empty. */
  cutoff: number | null;
}

/**
 * One observation of a trial: `score` is the metric oriented so higher is better (−value for `min`). Decides at
 * the highest rung the resource reached, once per rung (undefined when there is nothing to decide), and records
 * the score there. A non-finite score counts as the worst.
 */
export function ashaObserve(
  rungs: readonly number[],
  recorded: Record<string, number>[],
  trial: number,
  resource: number,
  score: number,
  eta: number,
): AshaDecision | undefined {
  for (let k = rungs.length - 1; k >= 0; k--) {
    if (resource < rungs[k]!) continue;
    const at = recorded[k] ?? {};
    recorded[k] = at;
    if (String(trial) in at) return undefined;
    const before = Object.values(at);
    const cutoff = before.length === 0 ? null : quantile(before, 1 - 1 / eta);
    const s = Number.isNaN(score) ? Number.NEGATIVE_INFINITY : score;
    at[trial] = s;
    return { rung: k, stop: cutoff !== null && s < cutoff, cutoff };
  }
  return undefined;
}
