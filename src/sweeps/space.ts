/**
 * Search spaces: random sampling with a seeded PRNG (same seed, same trials) and the grid's points. A grid takes
 * a choice's values, an int range's steps, and `points` evenly (log-)spaced values of a continuous range.
 */
import type { ParamValue } from '../api/index.js';
import type { Dimension, SearchSpace } from '../api/sweeps.js';
import { InvalidError } from '../errors/index.js';

/** Floats as a person would write them: 0.1 + 0.2 is 0.3 here, so grid params compare and print cleanly. */
const clean = (v: number): number => Number(v.toPrecision(12));

function sampleOne(d: Dimension, rand: () => number): ParamValue {
  switch (d.kind) {
    case 'choice':
      return d.values[Math.floor(rand() * d.values.length)]!;
    case 'uniform':
      return clean(d.min + rand() * (d.max - d.min));
    case 'loguniform':
      return clean(Math.exp(Math.log(d.min) + rand() * (Math.log(d.max) - Math.log(d.min))));
    case 'int': {
      const step = d.step ?? 1;
      const n = Math.floor((d.max - d.min) / step) + 1;
      return d.min + step * Math.floor(rand() * n);
    }
    default:
      return d satisfies never;
  }
}

/** One trial's params, drawn in the space's key order. */
export function sample(space: SearchSpace, rand: () => number): Record<string, ParamValue> {
  return Object.fromEntries(Object.entries(space).map(([name, d]) => [name, sampleOne(d, rand)]));
}

/** How many values a grid takes of one param; a continuous range must say (`points`). */
function axisLength(name: string, d: Dimension): number {
  switch (d.kind) {
    case 'choice':
      return d.values.length;
    case 'int':
      return Math.floor((d.max - d.min) / (d.step ?? 1)) + 1;
    case 'uniform':
    case 'loguniform': {
      if (d.points !== undefined) return d.points;
      const field = `space.${name}.points`;
      throw new InvalidError(`${field}: a grid needs how many values of a ${d.kind} range to take`, {
        details: { field },
      });
    }
    default:
      return d satisfies never;
  }
}

function axis(name: string, d: Dimension): ParamValue[] {
  const n = axisLength(name, d);
  switch (d.kind) {
    case 'choice':
      return d.values;
    case 'int':
      return Array.from({ length: n }, (_, i) => d.min + i * (d.step ?? 1));
    case 'uniform':
    case 'loguniform': {
      const [lo, hi] = d.kind === 'uniform' ? [d.min, d.max] : [Math.log(d.min), Math.log(d.max)];
      return Array.from({ length: n }, (_, i) => {
        const v = lo + ((hi - lo) * i) / (n - 1);
        return clean(d.kind === 'uniform' ? v : Math.exp(v));
      });
    }
    default:
      return d satisfies never;
  }
}

/** How many points the grid has, without building it. */
export function gridSize(space: SearchSpace): number {
  return Object.entries(space).reduce((n, [name, d]) => n * axisLength(name, d), 1);
}

/** Every grid point, the last param varying fastest. */
export function grid(space: SearchSpace): Record<string, ParamValue>[] {
  let points: Record<string, ParamValue>[] = [{}];
  for (const [name, d] of Object.entries(space)) {
    const values = axis(name, d);
    points = points.flatMap((p) => values.map((v) => ({ ...p, [name]: v })));
  }
  return points;
}
