/** The session state machine: which transitions are legal, checked before every write. */

import type { SessionState } from '../api/index.js';
import { ConflictError } from '../errors/index.js';

export { ACTIVE_STATES, isTerminal, SESSION_STATES, TERMINAL_STATES } from '../api/index.js';

/**
 * `queued → placed → starting → running → succeeded | failed`; `stopped` and `rejected` from any active
 * state; `failed` and `lost` once resources are held (a start can fail, a process can vanish).
 */
const NEXT: Record<SessionState, readonly SessionState[]> = {
  queued: ['placed', 'stopped', 'rejected'],
  placed: ['starting', 'stopped', 'rejected', 'failed', 'lost'],
  starting: ['running', 'stopped', 'rejected', 'failed', 'lost'],
  running: ['succeeded', 'failed', 'stopped', 'rejected', 'lost'],
  succeeded: [],
  failed: [],
  stopped: [],
  rejected: [],
  lost: [],
};

export const canTransition = (from: SessionState, to: SessionState): boolean => NEXT[from].includes(to);

export function assertTransition(sessionId: string, from: SessionState, to: SessionState): void {
  if (!canTransition(from, to)) {
    throw new ConflictError(`session ${sessionId} cannot go from ${from} to ${to}`, {
      details: { sessionId, from, to },
    });
  }
}
