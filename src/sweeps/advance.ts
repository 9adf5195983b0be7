/**
 * Moves a sweep on after something changed: submits pending trials while fewer than `parallelism` are active,
 * ends the sweep once no trial is left, and then offers the best trial's last generation to the spec's accept
 * rules, through the rules engine's own accept action.
 */
import type { Logger } from 'pino';
import { isTerminal, type NewEvent, type SessionSpec, type SessionState } from '../api/index.js';
import { isSwarmlabError } from '../errors/index.js';
import { type Firing, type ModelControl, onGeneration } from '../rules/index.js';
import { type SweepDoc, sweepTag } from './state.js';

/** What a sweep needs of the sessions (SessionManager and the experiments query have it). */
export interface TrialSessions {
  submit(spec: SessionSpec): Promise<{ id: string; state: SessionState }>;
  /** The same stop path the rules use: the SDK is asked first, then SIGTERM, then SIGKILL. */
  stop(id: string, reason: string, options: { as: 'stopped' | 'rejected' }): Promise<unknown>;
  /** Sessions carrying `tag`, for trials submitted but not recorded before a crash. */
  tagged(tag: string): Promise<Array<{ id: string; state: SessionState; env: Record<string, string> }>>;
}

export interface AdvanceDeps {
  sessions: TrialSessions;
  models: ModelControl;
  logger: Pick<Logger, 'warn' | 'error'>;
}

/** Env a trial runs with, besides its params: which sweep and trial it is. */
export const TRIAL_ENV = 'SWARMLAB_SWEEP_TRIAL';

export function trialSpec(doc: SweepDoc, index: number): SessionSpec {
  const { session } = doc.spec;
  const trial = doc.trials[index]!;
  return {
    ...session,
    name: `${doc.name}-${index}`,
    params: trial.params,
    tags: [...(session.tags ?? []), sweepTag(doc.id)],
    env: { ...session.env, SWARMLAB_SWEEP: doc.id, [TRIAL_ENV]: String(index) },
  };
}

const active = (doc: SweepDoc) =>
  doc.trials.filter((t) => t.state !== 'pending' && !isTerminal(t.state)).length;

/** Returns the events to append with the sweep's next state (the promotion's `rule.fired`). */
export async function advance(deps: AdvanceDeps, doc: SweepDoc): Promise<NewEvent[]> {
  if (doc.state !== 'running') return [];
  let running = active(doc);
  for (const trial of doc.trials) {
    if (running >= doc.parallelism) break;
    if (trial.state !== 'pending') continue;
    try {
      const s = await deps.sessions.submit(trialSpec(doc, trial.index));
      trial.sessionId = s.id;
      trial.state = s.state;
    } catch (err) {
      // e.g. no node can hold a trial any more: the sweep cannot go on as specified.
      if (!isSwarmlabError(err)) throw err;
      doc.state = 'stopped';
      doc.endedAt = Date.now();
      doc.reason = `trial ${trial.index} could not be submitted: ${err.message}`;
      return [];
    }
    running++;
  }
  if (running > 0 || doc.trials.some((t) => t.state === 'pending')) return [];
  doc.state = 'completed';
  doc.endedAt = Date.now();
  return promote(deps, doc);
}

async function promote(deps: AdvanceDeps, doc: SweepDoc): Promise<NewEvent[]> {
  const accept = doc.spec.accept ?? [];
  const best = doc.best && doc.trials[doc.best.index];
  if (accept.length === 0 || !best?.generation || !best.sessionId) return [];
  const { model, generation } = best.generation;
  const { metrics } = await deps.models.generation(model, generation);
  const firings: Firing[] = [];
  const saved = { model, generation, metrics };
  const e = {
    cursor: doc.cursor,
    time: Date.now(),
    type: 'generation.saved',
    sessionId: best.sessionId,
    model,
    data: saved,
  } as const;
  await onGeneration(deps, { accept }, e, firings);
  doc.promoted = firings.map((f) => ({
    rule: f.rule,
    model,
    generation,
    stage: f.action === 'stage:production' ? 'production' : 'staging',
  }));
  return firings.map((f) => ({
    type: 'rule.fired',
    sessionId: best.sessionId,
    model,
    data: { rule: f.rule, kind: f.kind, observed: { ...f.observed, sweep: doc.id }, action: f.action },
  }));
}
