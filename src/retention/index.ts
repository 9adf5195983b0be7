/** Retention: bounded growth of the archive, session logs and series, and the session policy, on a timer. */
export { type TimeOf, trimToBounds } from './log-trim.js';
export { PASS_BUDGET, type RetentionDeps, RetentionRunner } from './runner.js';
export type { RemoveSession } from './session-policy.js';
