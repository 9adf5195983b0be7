/** Retention, pure: keep the newest `keepLast` generations plus every one that ever held staging or production. */
import type { ModelRecord } from './types.js';

/** The generations the policy drops, ascending. */
export function toPrune(model: ModelRecord, keepLast: number): number[] {
  const newest = [...model.generations].sort((a, b) => b - a).slice(0, keepLast);
  const keep = new Set([...newest, ...model.everStaged]);
  if (model.production !== null) keep.add(model.production);
  if (model.staging !== null) keep.add(model.staging);
  return model.generations.filter((g) => !keep.has(g)).sort((a, b) => a - b);
}
