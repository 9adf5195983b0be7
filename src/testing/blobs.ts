/** Every blob a store holds, read beside the manager (LMDB read-only, Redis by key), for checks that nothing leaked. */
import { join } from 'node:path';
import { openLmdbBlobReader } from '../store/index.js';
import { redisKeys } from './redis.js';

/** Sorted digests of the blobs in the LMDB store of `dataDir`, or under the Redis `prefix` when given. */
export async function storedBlobs(dataDir: string, prefix: string | undefined): Promise<string[]> {
  if (prefix) return (await redisKeys(prefix, 'blob:*')).map((k) => k.slice(`${prefix}blob:`.length)).sort();
  const reader = openLmdbBlobReader(join(dataDir, 'store'));
  try {
    return reader.digests().sort();
  } finally {
    await reader.close();
  }
}
