/** What telemetry forgets when a session is deleted: its metric series, their summaries and its report streams. */
import type { Store, TxOp } from '../store/index.js';
import { streamKey } from './channel.js';
import { seriesLog } from './series.js';
import { summaryKey } from './summaries.js';

/** The session's telemetry as delete ops, for the session delete's transaction. */
export async function telemetryPurgeOps(store: Store, sessionId: string): Promise<TxOp[]> {
  const streams = await store.list(streamKey(sessionId, ''));
  return [
    { op: 'trimLog', log: seriesLog(sessionId), before: Number.MAX_SAFE_INTEGER },
    { op: 'delete', key: summaryKey(sessionId) },
    ...streams.map((doc): TxOp => ({ op: 'delete', key: doc.key })),
  ];
}
