/**
 * What a trial's events do to its sweep, pure: metric observations update the trial's value, resource and best,
 * and (ASHA) are judged at the rungs; its start, exit and saved generations update its state. Replaying an event
 * already applied changes nothing that matters (resources take the max, a rung records a trial once).
 */
import { isTerminal, type SwarmEvent } from '../api/index.js';
import type { SweepBest, TrialView } from '../api/sweeps.js';
import { observationsOf } from '../rules/index.js';
import { ashaObserve, DEFAULT_ETA } from './asha.js';
import type { SweepDoc } from './state.js';

export type TrialEvent = SwarmEvent<
  'session.started' | 'session.epoch' | 'session.metric' | 'generation.saved' | 'session.exited'
>;
export const TRIAL_EVENTS = [
  'session.started',
  'session.epoch',
  'session.metric',
  'generation.saved',
  'session.exited',
];

/** A trial ASHA stops: through the sessions' stop path, like a stopIf rule. */
export interface TrialStop {
  sessionId: string;
  reason: string;
}

const better = (mode: 'max' | 'min', a: number, b: number | undefined): boolean =>
  b === undefined || (mode === 'max' ? a > b : a < b);

const fmt = (v: number) => String(Number(v.toPrecision(6)));

export function applyEvent(doc: SweepDoc, trial: TrialView, e: TrialEvent): TrialStop | undefined {
  switch (e.type) {
    case 'session.started':
      if (trial.state !== 'pending' && !isTerminal(trial.state)) trial.state = 'running';
      return undefined;
    case 'session.exited':
      trial.state = e.data.state;
      return undefined;
    case 'generation.saved':
      trial.generation = { model: e.data.model, generation: e.data.generation };
      return undefined;
    case 'session.epoch':
    case 'session.metric': {
      let stop: TrialStop | undefined;
      for (const o of observationsOf(e)) {
        if (o.metric !== doc.metric) continue;
        if (o.epoch >= trial.resource) {
          trial.resource = o.epoch;
          trial.value = o.value;
        }
        if (Number.isFinite(o.value) && better(doc.mode, o.value, trial.best)) trial.best = o.value;
        stop ??= judge(doc, trial, o.epoch, o.value);
      }
      return stop;
    }
    default:
      return e satisfies never;
  }
}

function judge(doc: SweepDoc, trial: TrialView, resource: number, value: number): TrialStop | undefined {
  const asha = doc.spec.asha;
  if (doc.algorithm !== 'asha' || !asha || trial.stoppedAtRung !== undefined || !trial.sessionId)
    return undefined;
  const score = doc.mode === 'max' ? value : -value;
  const eta = asha.eta ?? DEFAULT_ETA;
  const d = ashaObserve(doc.rungs, doc.recorded, trial.index, resource, score, eta);
  if (!d) return undefined;
  if (!d.stop) {
    trial.rung = Math.max(trial.rung, d.rung);
    return undefined;
  }
  trial.stoppedAtRung = d.rung;
  const cutoff = doc.mode === 'max' ? d.cutoff! : -d.cutoff!;
  return {
    sessionId: trial.sessionId,
    reason:
      `sweep ${doc.id} (ASHA): ${doc.metric} = ${fmt(value)} at rung ${d.rung} (${doc.rungs[d.rung]} epochs) ` +
      `is not in the top 1/${eta} (cutoff ${fmt(cutoff)})`,
  };
}

/** The best trial so far by its best value, and the resource every trial consumed. */
export function refresh(doc: SweepDoc): void {
  let best: SweepBest | null = null;
  let total = 0;
  for (const t of doc.trials) {
    total += t.resource;
    if (t.best === undefined || !t.sessionId) continue;
    if (best === null || better(doc.mode, t.best, best.value)) {
      best = { index: t.index, sessionId: t.sessionId, value: t.best, params: t.params };
    }
  }
  doc.best = best;
  doc.totalResource = total;
}
