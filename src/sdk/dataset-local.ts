/**
 * The node-local fast path: on the manager's machine with the LMDB store, shards are read from the
 * store's memory map in this process (no HTTP, no server CPU; every reader shares the page cache).
 * Batches are cut by the same engine as the manager's stream, so they are identical.
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Manifest, StoreInfo } from '../api/index.js';
import { blockOfFrame, parseFrame, type RowBlock } from '../codec/index.js';
import { CorruptError } from '../errors/index.js';
import type { LmdbBlobReader } from '../store/index.js';

/** The store path to read locally, or undefined when the store is not here (or not LMDB). */
export function localStorePath(info: StoreInfo | undefined, env: NodeJS.ProcessEnv): string | undefined {
  const path =
    env.SWARMLAB_STORE_PATH ?? (info?.backend === 'lmdb' && info.host === hostname() ? info.path : undefined);
  return path && existsSync(path) ? path : undefined;
}

/** The store (and lmdb) is loaded only here, when local reading was chosen: the SDK never loads it otherwise. */
export async function openLocalShards(path: string): Promise<LmdbBlobReader> {
  const { openLmdbBlobReader } = await import('../store/index.js');
  return openLmdbBlobReader(path);
}

/**
 * Loads a shard as a row block. A shard is normally one chunk: it is copied once out of the map into
 * an aligned buffer the batch gather then reads (the map view itself is only valid during the visit).
 */
export function localShardLoader(reader: LmdbBlobReader, m: Manifest): (index: number) => Promise<RowBlock> {
  return async (index) => {
    const ref = m.shards[index]!;
    const bytes = Buffer.allocUnsafeSlow(ref.bytes);
    let size = 0;
    reader.visitBlobSync(ref.digest, (chunk, offset) => {
      bytes.set(chunk, offset);
      size += chunk.length;
    });
    if (size !== ref.bytes) {
      throw new CorruptError(
        `shard ${index} of ${m.name}@${m.version}: ${size} bytes, expected ${ref.bytes}`,
        {
          details: { digest: ref.digest },
        },
      );
    }
    const { header, columns } = parseFrame(bytes);
    return blockOfFrame(m.columns, header.t === 'shard' ? header.rows : 0, columns);
  };
}
