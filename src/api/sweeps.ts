/**
 * Sweeps on the wire: the spec a client submits (search space, algorithm, metric, budget; validated with zod)
 * and the view the manager returns (trials with state, params, metric, rung; the best so far). Like rules.ts,
 * only its types are re-exported by api/index.ts, so loading the wire types never loads zod.
 */
import { z } from 'zod';
import type { SessionState } from './events.js';
import { acceptRule } from './rules.js';
import type { ParamValue, SessionSpec } from './sessions.js';

/** At most this many trials per sweep (grids included), so a sweep's state stays one small document. */
export const MAX_TRIALS = 1000;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const points = z.number().int().min(2).max(MAX_TRIALS).optional();

const choice = z.strictObject({
  kind: z.literal('choice'),
  values: z
    .array(z.union([finite, z.string().max(1024), z.boolean()]))
    .min(1)
    .max(MAX_TRIALS),
});
/** `points`: how many evenly spaced values a grid takes (random and ASHA sample the whole range). */
const uniform = z
  .strictObject({ kind: z.literal('uniform'), min: finite, max: finite, points })
  .refine((d) => d.max > d.min, { message: 'must be > min', path: ['max'] });
const loguniform = z
  .strictObject({ kind: z.literal('loguniform'), min: finite, max: finite, points })
  .refine((d) => d.min > 0, { message: 'must be > 0', path: ['min'] })
  .refine((d) => d.max > d.min, { message: 'must be > min', path: ['max'] });
const int = z
  .strictObject({
    kind: z.literal('int'),
    min: z.number().int(),
    max: z.number().int(),
    step: z.number().int().min(1).optional(),
  })
  .refine((d) => d.max >= d.min, { message: 'must be ≥ min', path: ['max'] });

export const dimension = z.discriminatedUnion('kind', [choice, uniform, loguniform, int]);

export const ashaSchema = z.strictObject({
  /** The first rung, in epochs (or steps) of the metric (default 1). */
  minResource: z.number().int().min(1).optional(),
  /** What a trial runs to when never stopped; rungs are minResource·eta^k below it. */
  maxResource: z.number().int().min(1),
  /** Reduction factor: the top 1/eta of each rung goes on (default 3). */
  eta: z.number().min(2).optional(),
  /**
   * Where trial params come from: sampled at random (default), the grid's points in order, or the grid's points
   * in an order shuffled by `seed` (as Optuna's GridSampler): ASHA judges a trial against those before it, so
   * a grid listed from worst to best would stop nothing.
   */
  sample: z.enum(['random', 'grid', 'shuffled-grid']).optional(),
});

/** Everything but `session`, which the server checks with the session submit schema (it holds no zod here). */
export const sweepSchema = z
  .strictObject({
    name: z.string().min(1).max(200).optional(),
    space: z
      .record(z.string(), dimension)
      .refine((s) => Object.keys(s).length > 0, 'give at least one param'),
    algorithm: z.enum(['grid', 'random', 'asha']),
    /** Seed of random sampling (default 0): the same seed gives the same trials. */
    seed: z.number().int().min(0).optional(),
    metric: z.string().min(1).max(256),
    mode: z.enum(['max', 'min']),
    /** Trial budget: required for random; default for grid (and ASHA on the grid) is every grid point. */
    trials: z.number().int().min(1).max(MAX_TRIALS).optional(),
    /** Trials running at once (default 1). */
    parallelism: z.number().int().min(1).max(100).optional(),
    asha: ashaSchema.optional(),
    /** Judged once the sweep ends, on the last generation the best trial saved; reuses the rules' accept. */
    accept: z.array(acceptRule).max(20).optional(),
    session: z.unknown(),
  })
  .refine((s) => s.algorithm !== 'asha' || s.asha !== undefined, {
    message: 'ASHA needs asha.maxResource',
    path: ['asha'],
  })
  .refine((s) => s.asha === undefined || (s.asha.minResource ?? 1) <= s.asha.maxResource, {
    message: 'must be ≥ asha.minResource',
    path: ['asha', 'maxResource'],
  });

export type Dimension = z.output<typeof dimension>;
export type SearchSpace = Record<string, Dimension>;
export type AshaOptions = z.output<typeof ashaSchema>;
export type SweepAlgorithm = 'grid' | 'random' | 'asha';
export type SweepMode = 'max' | 'min';

/** A trial's session, as submitted for every trial (its `params` are the trial's). */
export type TrialTemplate = Omit<SessionSpec, 'params'>;

/** A sweep after edge validation. */
export type SweepSpec = Omit<z.output<typeof sweepSchema>, 'session'> & { session: TrialTemplate };

/** `running` until every trial ended (`completed`) or a stop was asked (`stopped`). */
export type SweepState = 'running' | 'completed' | 'stopped';

export interface TrialView {
  index: number;
  params: Record<string, ParamValue>;
  /** Absent until submitted. */
  sessionId?: string;
  /** `pending` until submitted, then its session's state. */
  state: SessionState | 'pending';
  /** The metric's last value (at the highest epoch/step reported) and its best (by the sweep's mode). */
  value?: number;
  best?: number;
  /** Highest epoch (or step) of the metric the trial reported: what it consumed. */
  resource: number;
  /** ASHA: the highest rung it passed (-1 when none yet), and the rung it was stopped at. */
  rung: number;
  stoppedAtRung?: number;
  /** Last generation the trial saved. */
  generation?: { model: string; generation: number };
}

export interface SweepBest {
  index: number;
  sessionId: string;
  value: number;
  params: Record<string, ParamValue>;
}

export interface SweepPromotion {
  rule: string;
  model: string;
  generation: number;
  stage: 'staging' | 'production';
}

export interface SweepView {
  id: string;
  name: string;
  state: SweepState;
  algorithm: SweepAlgorithm;
  metric: string;
  mode: SweepMode;
  parallelism: number;
  createdAt: number;
  endedAt?: number;
  reason?: string;
  spec: SweepSpec;
  /** ASHA: the rungs' resources (epochs or steps), ascending. */
  rungs: number[];
  trials: TrialView[];
  best: SweepBest | null;
  /** Sum of every trial's `resource`: the trial-epochs (or steps) the sweep consumed. */
  totalResource: number;
  /** Set once the sweep ended and an accept rule staged the best trial's generation. */
  promoted?: SweepPromotion[];
}

/** A listed sweep: the view without its trials. */
export type SweepSummary = Omit<SweepView, 'trials' | 'spec'> & { trialCount: number; finished: number };

export interface SweepList {
  sweeps: SweepSummary[];
}
