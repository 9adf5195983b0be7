/** Ports the session manager depends on; the session wire types live in src/api. */
import type { TxOp } from '../store/index.js';

export type {
  ListOptions,
  LogLine,
  LogPage,
  LogQuery,
  MetricSummary,
  ParamValue,
  SessionFlag,
  SessionListItem,
  SessionPage,
  SessionRecord,
  SessionSpec,
  SessionState,
} from '../api/index.js';

/** Keeps what a session left in its output dir (as artifacts) before the session is recorded as ended. */
export interface OutputCollector {
  collect(sessionId: string, dir: string): Promise<unknown>;
}

/** Transaction ops that forget what one domain recorded for a session; they commit with the session's deletion. */
export type SessionPurger = (sessionId: string) => Promise<TxOp[]>;

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
