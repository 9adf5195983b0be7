/** Sessions: records, the state machine, persistence, and the manager that runs them through the scheduler. */
export { deletingKey } from './delete.js';
export { isSessionId, newSessionId, rankKey } from './ids.js';
export { SessionManager } from './manager.js';
export type { SessionDeps, SessionManagerOptions } from './options.js';
export { MAX_PARAMS } from './params.js';
export { lineTime, logName, SessionRepo, sessionKey } from './repo.js';
export {
  ACTIVE_STATES,
  assertTransition,
  canTransition,
  isTerminal,
  SESSION_STATES,
  TERMINAL_STATES,
} from './states.js';
export { DEFAULT_POOL, DEFAULT_RESOURCES } from './submit.js';
export type {
  DatasetResolver,
  ListOptions,
  LogLine,
  LogPage,
  LogQuery,
  MetricSummary,
  OutputCollector,
  ParamValue,
  SessionFlag,
  SessionListItem,
  SessionPage,
  SessionPurger,
  SessionRecord,
  SessionSpec,
  SessionState,
  StopChannel,
} from './types.js';
