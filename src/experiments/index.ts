/** Experiments: sessions as runs of a study — queried by project, tag, param and metric, and compared. */
export { DEFAULT_COMPARE_POINTS } from './compare.js';
export type { SessionQuery } from './query.js';
export { Experiments } from './service.js';
