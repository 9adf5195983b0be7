/** In-memory companion of an active (non-terminal) session, held by the manager while it runs. */
import type { GangExits } from './gang.js';
import type { SessionRecord } from './types.js';

export interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

export function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export interface Active {
  record: SessionRecord;
  stopReason?: string;
  /** The state a stop ends in: `stopped`, or `rejected` when a reject rule asked for it. */
  stopAs?: 'stopped' | 'rejected';
  /** Set when the stop is a preemption: the waiting session it makes room for. */
  preemptedBy?: string;
  timedOut?: boolean;
  maxTimer?: NodeJS.Timeout;
  /** Resolved once the `running` transition is written (or the start failed), so an exit is never recorded first. */
  started: Deferred;
  exited: Deferred;
  /** A gang's rank exits, counted from its start (or re-attach) on. */
  gang?: GangExits;
}
