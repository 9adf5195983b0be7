/** LMDB backend of the Store contract: `openLmdbStore({ path })`. */
import { mkdir } from 'node:fs/promises';
import { open } from 'lmdb';
import { UnavailableError } from '../../errors/index.js';
import { checkChunkSize } from '../blob/read.js';
import { DEFAULT_CHUNK_SIZE } from '../blob/sink.js';
import type { Store } from '../types.js';
import { LmdbBlobs } from './blobs.js';
import { openDbs } from './dbs.js';
import { LmdbOwners } from './owners.js';
import { LmdbStore } from './store.js';

export { type LmdbBlobReader, openLmdbBlobReader } from './reader.js';

export interface LmdbStoreOptions {
  /** Directory of the LMDB environment; created if missing. */
  path: string;
  /** Blob chunk size in bytes (default 4 MiB). */
  chunkSize?: number;
}

export async function openLmdbStore(options: LmdbStoreOptions): Promise<Store> {
  const chunkSize = checkChunkSize(options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  let root: ReturnType<typeof open>;
  try {
    await mkdir(options.path, { recursive: true });
    root = open({ path: options.path, maxDbs: 16 });
  } catch (cause) {
    throw new UnavailableError(`cannot open LMDB store at ${options.path}`, {
      details: { path: options.path },
      cause,
    });
  }
  const db = openDbs(root);
  const store = new LmdbStore(root, db, new LmdbBlobs(root, db, new LmdbOwners(db.owners)), chunkSize);
  await store.sweepUploads();
  return store;
}
