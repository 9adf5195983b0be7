/** Sweeps: hyperparameter searches (grid, seeded random, ASHA) whose trials are sessions, resumed after a restart. */
export type { SweepList, SweepSpec, SweepState, SweepView, TrialView } from '../api/sweeps.js';
export type { TrialSessions } from './advance.js';
export { type AshaDecision, ashaObserve, quantile, rungsOf } from './asha.js';
export { planTrials } from './plan.js';
export { SweepRunner, type SweepRunnerDeps } from './runner.js';
export { grid, gridSize, sample } from './space.js';
