/**
 * Stage rules, pure. Moving a generation to staging or production displaces that stage's holder to archived;
 * the moved generation leaves whatever stage it held. Each change is one history entry (displaced first), so
 * replaying the history up to a time answers "which generation was in production then".
 */
import type { HistoryEntry, ModelRecord, Stage, StageChange, StagesAt, TargetStage } from './types.js';

export function stageOf(model: ModelRecord, generation: number): Stage {
  if (model.production === generation) return 'production';
  if (model.staging === generation) return 'staging';
  if (model.archived.includes(generation)) return 'archived';
  return 'draft';
}

const without = (list: number[], g: number) => list.filter((x) => x !== g);
const withSorted = (list: number[], g: number) =>
  list.includes(g) ? list : [...list, g].sort((a, b) => a - b);

/** The model after moving `generation` to `to`, and the changes in the order they happen. */
export function applyStage(
  model: ModelRecord,
  generation: number,
  to: TargetStage,
): { model: ModelRecord; changes: StageChange[] } {
  const from = stageOf(model, generation);
  if (from === to) return { model, changes: [] };
  const next: ModelRecord = { ...model, archived: without(model.archived, generation) };
  const changes: StageChange[] = [];
  if (from === 'staging') next.staging = null;
  if (from === 'production') next.production = null;
  if (to === 'archived') {
    next.archived = withSorted(next.archived, generation);
  } else {
    const holder = next[to];
    if (holder !== null) {
      changes.push({ generation: holder, from: to, to: 'archived' });
      next.archived = withSorted(next.archived, holder);
    }
    next[to] = generation;
    next.everStaged = withSorted(next.everStaged, generation);
  }
  changes.push({ generation, from, to });
  return { model: next, changes };
}

/** Which generations held staging and production at time `at` (ms), from the history in cursor order. */
export function replayStages(model: string, entries: Iterable<HistoryEntry>, at: number): StagesAt {
  const state: StagesAt = { model, at, production: null, staging: null };
  for (const e of entries) {
    if (e.time > at) break;
    if ((e.from === 'production' || e.from === 'staging') && state[e.from] === e.generation)
      state[e.from] = null;
    if (e.to === 'production' || e.to === 'staging') state[e.to] = e.generation;
  }
  return state;
}
