/**
 * Which way a metric improves, guessed from its name (runs carry no declared goal): losses, errors and costs go
 * down, scores such as accuracy or F1 go up. Usage series (`sys/…`) have no better side.
 */
export type Goal = 'min' | 'max';

const LOWER = /loss|err|mse|mae|perplexity|ppl|cost|latency|time|_ms$|_s$/i;

export function goalOf(metric: string): Goal | undefined {
  if (metric.startsWith('sys/')) return undefined;
  return LOWER.test(metric.slice(metric.lastIndexOf('/') + 1)) ? 'min' : 'max';
}

/** Indexes holding the best finite value (ties all count); none when fewer than two values differ. */
export function bestIndexes(values: Array<number | null | undefined>, goal: Goal | undefined): Set<number> {
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (!goal || new Set(finite).size < 2) return new Set();
  const best = goal === 'min' ? Math.min(...finite) : Math.max(...finite);
  return new Set(values.flatMap((v, i) => (v === best ? [i] : [])));
}
