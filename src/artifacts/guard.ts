/** The preconditions an artifact write commits with: its session exists and is not being deleted. */
import { ConflictError, NotFoundError } from '../errors/index.js';
import { deletingKey, sessionKey } from '../sessions/index.js';
import type { Store, TxOp } from '../store/index.js';

/**
 * Check ops pinning the session record's version and the absence of a deletion marker, so a write racing a
 * delete either lands before it (and is deleted with it) or fails; it can never outlive its session.
 */
export async function sessionGuard(store: Store, sessionId: string): Promise<TxOp[]> {
  const [record, marker] = await Promise.all([
    store.get(sessionKey(sessionId)),
    store.get(deletingKey(sessionId)),
  ]);
  if (marker) {
    throw new ConflictError(`session ${sessionId} is being deleted`, { details: { sessionId } });
  }
  if (!record) throw new NotFoundError(`no session ${sessionId}`, { details: { sessionId } });
  return [
    { op: 'check', key: sessionKey(sessionId), version: record.version },
    { op: 'check', key: deletingKey(sessionId), version: 0 },
  ];
}
