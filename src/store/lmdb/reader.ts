/**
 * A read-only view of an LMDB store's blobs for other processes on the same machine: chunks are read
 * straight from the shared memory map (one copy in the page cache for every reader). The manager keeps
 * writing meanwhile; LMDB's MVCC gives each read a consistent snapshot.
 */
import { open } from 'lmdb';
import { NotFoundError, UnavailableError } from '../../errors/index.js';
import { checkChunk, planRead } from '../blob/read.js';
import { decode } from '../codec.js';
import type { BlobInfo } from '../types.js';
import { openDbs } from './dbs.js';

export interface LmdbBlobReader {
  statBlob(digest: string): BlobInfo | undefined;
  /**
   * Calls `fn` with each chunk as a view into the memory map, synchronously; a view is only valid
   * during its call (the next read may move lmdb-js's reusable buffer). Copy what you keep.
   */
  visitBlobSync(digest: string, fn: (chunk: Uint8Array, offset: number) => void, verify?: boolean): void;
  /** Every stored blob's digest (for checks and tests: what a failed import may not leave behind). */
  digests(): string[];
  close(): Promise<void>;
}

export function openLmdbBlobReader(path: string): LmdbBlobReader {
  let root: ReturnType<typeof open>;
  try {
    root = open({ path, maxDbs: 16, readOnly: true });
  } catch (cause) {
    throw new UnavailableError(`cannot open the LMDB store at ${path} read-only`, {
      details: { path },
      cause,
    });
  }
  const db = openDbs(root);
  const stat = (digest: string): BlobInfo | undefined => {
    const raw = db.blobs.get(digest);
    return raw === undefined ? undefined : decode<BlobInfo>(raw);
  };
  return {
    statBlob: stat,
    visitBlobSync(digest, fn, verify = false) {
      const info = stat(digest);
      if (!info) throw new NotFoundError(`blob ${digest} not found`, { details: { digest } });
      for (const slice of planRead(info)) {
        const fast = db.chunks.getBinaryFast(Buffer.from(slice.sha, 'hex'));
        const view = fast?.subarray(0, fast.length);
        checkChunk(info, slice, view, verify);
        fn(view.subarray(slice.from, slice.to), slice.offset);
      }
    },
    digests: () => [...db.blobs.getKeys({})] as string[],
    close: () => root.close(),
  };
}
