/** Ports the session manager depends on; the session wire types live in src/api. */
export type {
  ListOptions,
  LogLine,
  LogPage,
  LogQuery,
  MetricSummary,
  ParamValue,
  RankProcess,
  Rendezvous,
  SessionFlag,
  SessionListItem,
  SessionPage,
  SessionRecord,
  SessionSpec,
  SessionState,
} from '../api/index.js';

/** Resolves `name` / `name@version` to one fixed version; throws NotFoundError when there is none. */
export interface DatasetResolver {
  resolve(ref: string): Promise<{ name: string; version: number }>;
}

/** Asks a session's SDK, over its channel, to stop on its own; false when no SDK is connected. */
export interface StopChannel {
  requestStop(sessionId: string, reason: string): boolean;
  /** Drops a stop request kept for a session that has ended. */
  forget?(sessionId: string): void;
}
