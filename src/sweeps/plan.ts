/** Which trials a sweep runs: every params set is fixed when the sweep is created, so a resume replays nothing. */
import type { ParamValue } from '../api/index.js';
import { MAX_TRIALS, type SweepSpec } from '../api/sweeps.js';
import { InvalidError } from '../errors/index.js';
import { prng, shuffle } from '../util/prng.js';
import { grid, gridSize, sample } from './space.js';

const invalid = (field: string, message: string) =>
  new InvalidError(`${field}: ${message}`, { details: { field } });

/** The trials' params in submission order; InvalidError naming the field when the spec cannot give them. */
export function planTrials(spec: Omit<SweepSpec, 'session'>): Record<string, ParamValue>[] {
  const rand = prng(spec.seed ?? 0);
  const sampling = spec.algorithm === 'grid' ? 'grid' : (spec.asha?.sample ?? 'random');
  if (sampling !== 'random') {
    const size = gridSize(spec.space);
    if (size > MAX_TRIALS) throw invalid('space', `the grid has ${size} points, more than ${MAX_TRIALS}`);
    const points = grid(spec.space);
    if (sampling === 'shuffled-grid') shuffle(points, rand);
    return points.slice(0, spec.trials ?? size);
  }
  if (spec.trials === undefined) throw invalid('trials', `${spec.algorithm} sampling needs a trial budget`);
  return Array.from({ length: spec.trials }, () => sample(spec.space, rand));
}
