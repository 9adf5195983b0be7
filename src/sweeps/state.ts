/**
 * What a sweep keeps in the store: one document per sweep (its view plus the ASHA rungs' recorded values and the
 * cursor of the last event applied to it), a time index to list them, and the runner's resume cursor.
 */
import { isTerminal } from '../api/index.js';
import type { SweepSummary, SweepView } from '../api/sweeps.js';

export const CURSOR_KEY = 'sweeps/runner/cursor';
export const BY_TIME = 'sweeps/by-time';
export const sweepKey = (id: string): string => `sweeps/records/${id}`;
/** Trials carry this tag, so `swarmlab ps --tag sweep-ID` lists them and a restart finds unrecorded ones. */
export const sweepTag = (id: string): string => `sweep-${id}`;

export interface SweepDoc extends SweepView {
  /** The last event applied; events at or before it are never applied again. */
  cursor: number;
  /** ASHA: per rung, the metric value each trial recorded there (by trial index), mode-adjusted (max). */
  recorded: Record<string, number>[];
}

export const viewOf = ({ cursor: _c, recorded: _r, ...view }: SweepDoc): SweepView => view;

export function summaryOf(doc: SweepDoc): SweepSummary {
  const { trials, spec: _s, ...rest } = viewOf(doc);
  const finished = trials.filter((t) => t.state !== 'pending' && isTerminal(t.state)).length;
  return { ...rest, trialCount: trials.length, finished };
}
