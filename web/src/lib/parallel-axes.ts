/**
 * Axes of a parallel-coordinates plot: one per param, then the chosen metric. Each maps a run's value to a height
 * in [0, 1] (1 at the top). Numbers get a linear scale, or a log scale when positive values span two decades or
 * more (learning rates); anything else (strings, booleans, a mix) is categorical, its values spread evenly in sorted
 * order. A run without the value has no point on that axis, and its line breaks there.
 */
import type { ParamValue } from '../api/types.js';
import { num } from './format.js';

type Value = ParamValue | null | undefined;

export interface Axis {
  name: string;
  kind: 'linear' | 'log' | 'categorical';
  /** Labels along the axis, `at` in [0, 1]. */
  ticks: Array<{ at: number; label: string }>;
  /** Undefined for a missing or non-finite value. */
  at(v: Value): number | undefined;
}

const isNum = (v: Value): v is number => typeof v === 'number' && Number.isFinite(v);

function categorical(name: string, values: Value[]): Axis {
  const labels = [...new Set(values.filter((v) => v !== undefined && v !== null).map(String))].sort((a, b) =>
    a.localeCompare(b, undefined, { numeric: true }),
  );
  const place = (i: number) => (labels.length === 1 ? 0.5 : i / (labels.length - 1));
  return {
    name,
    kind: 'categorical',
    ticks: labels.map((label, i) => ({ at: place(i), label })),
    at: (v) => {
      const i = v === undefined || v === null ? -1 : labels.indexOf(String(v));
      return i < 0 ? undefined : place(i);
    },
  };
}

function numeric(name: string, values: number[]): Axis {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const log = lo > 0 && hi / lo >= 100;
  const f = log ? Math.log10 : (x: number) => x;
  const span = f(hi) - f(lo);
  const scale = (x: number) => (span === 0 ? 0.5 : (f(x) - f(lo)) / span);
  const ticks = span === 0 ? [lo] : [lo, log ? 10 ** ((f(lo) + f(hi)) / 2) : (lo + hi) / 2, hi];
  return {
    name,
    kind: log ? 'log' : 'linear',
    ticks: ticks.map((x) => ({ at: scale(x), label: num(x, 3) })),
    at: (v) => (isNum(v) ? scale(v) : undefined),
  };
}

/** An axis for `name` over every run's value (undefined where a run lacks it). */
export function axisFor(name: string, values: Value[]): Axis {
  const present = values.filter((v) => v !== undefined && v !== null);
  if (present.length > 0 && present.every(isNum)) return numeric(name, present);
  return categorical(name, values);
}
