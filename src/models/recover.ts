/** At start-up, drops the references of weights uploads a previous process left between blob and save commits. */
import type { Store } from '../store/index.js';
import { PENDING_UPLOAD_PREFIX, type PendingUpload } from './keys.js';

/**
 * Every pending record is stale once no upload runs yet (this manager holds the store's lease): each one's owner
 * is dropped with it in one commit, freeing weights nobody else holds. Returns how many were released.
 */
export async function releaseStaleUploads(store: Store): Promise<number> {
  const pending = await store.list<PendingUpload>(PENDING_UPLOAD_PREFIX);
  for (const doc of pending) {
    await store.commit([
      { op: 'unref', digest: doc.value.digest, owner: doc.value.owner },
      { op: 'delete', key: doc.key, ifVersion: doc.version },
    ]);
  }
  return pending.length;
}
