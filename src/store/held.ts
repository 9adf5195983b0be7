/**
 * Blobs held by a temporary owner between their commit and the transaction that hands them to their real owner (a
 * generation, a session's artifacts). A crash in between would leave them held forever, so a record naming the
 * blob is written just before it commits (`beforeCommit`) and deleted with the temporary owner (`releaseOps`);
 * the next start releases what such records still name (`releaseStaleHolds`).
 */
import type { Store, TxOp } from './types.js';

const PREFIX = 'blob-held/';
/** Where managers before this module kept the records of weights uploads. */
const LEGACY_PREFIXES = ['modelupload/'];

interface HeldRecord {
  digest: string;
  owner: string;
}

export interface Hold {
  /** The temporary owner the blob is written with. */
  owner: string;
  /** For `blobWriter({ owner, beforeCommit })`: records the blob just before it is committed. */
  beforeCommit: (digest: string) => Promise<void>;
  /** Drops `owner`'s reference to the blob and the record with it: in the transaction that hands the blob over. */
  releaseOps: (digest: string) => TxOp[];
  /** Deletes the record alone: after a write whose blob never committed. */
  discard: () => Promise<void>;
}

/** A hold for one upload; `id` is unique to it (a UUID), `owner` the temporary owner to write the blob with. */
export function hold(store: Store, id: string, owner: string): Hold {
  const key = `${PREFIX}${id}`;
  return {
    owner,
    beforeCommit: async (digest) => {
      await store.put(key, { digest, owner } satisfies HeldRecord);
    },
    releaseOps: (digest) => [
      { op: 'unref', digest, owner },
      { op: 'delete', key },
    ],
    discard: async () => {
      await store.delete(key);
    },
  };
}

/**
 * Every record is stale once nothing uploads yet (at start, this manager holding the store's lease): each one's
 * owner is dropped with it in one commit, freeing blobs nobody else holds. Returns how many were released.
 */
export async function releaseStaleHolds(store: Store): Promise<number> {
  let released = 0;
  for (const prefix of [PREFIX, ...LEGACY_PREFIXES]) {
    for (const doc of await store.list<HeldRecord>(prefix)) {
      await store.commit([
        { op: 'unref', digest: doc.value.digest, owner: doc.value.owner },
        { op: 'delete', key: doc.key, ifVersion: doc.version },
      ]);
      released++;
    }
  }
  return released;
}
