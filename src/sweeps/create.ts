/** A new sweep's document: its trials planned (params fixed), its ASHA rungs, nothing submitted yet. */
import type { SweepSpec } from '../api/sweeps.js';
import { rungsOf } from './asha.js';
import { planTrials } from './plan.js';
import type { SweepDoc } from './state.js';

export function newSweepDoc(id: string, spec: SweepSpec, cursor: number, now = Date.now()): SweepDoc {
  const rungs = spec.algorithm === 'asha' && spec.asha ? rungsOf(spec.asha) : [];
  return {
    id,
    name: spec.name ?? id,
    state: 'running',
    algorithm: spec.algorithm,
    metric: spec.metric,
    mode: spec.mode,
    parallelism: spec.parallelism ?? 1,
    createdAt: now,
    spec,
    rungs,
    trials: planTrials(spec).map((params, index) => ({
      index,
      params,
      state: 'pending',
      resource: 0,
      rung: -1,
    })),
    best: null,
    totalResource: 0,
    cursor,
    recorded: rungs.map(() => ({})),
  };
}
