/** Turns the shard reference counts datasets kept before blob owners into owners, once (a no-op afterwards). */
import type { Manifest } from '../api/index.js';
import type { Store, TxOp } from '../store/index.js';
import { keys, owners } from './keys.js';

/** `dataset-blob/<digest>` → `{ refs: n }`: how many live versions used a shard, but not which. */
const LEGACY = 'dataset-blob/';

/**
 * Each count is replaced, in one commit, by an owner per live version whose manifest lists the digest; a crash
 * part-way leaves the remaining counts for the next start. Returns how many counts were converted.
 */
export async function migrateDatasetRefs(store: Store): Promise<number> {
  const legacy = await store.list(LEGACY);
  if (legacy.length === 0) return 0;
  const holders = new Map<string, string[]>();
  for (const { value: m } of await store.list<Manifest>(keys.manifests)) {
    for (const digest of new Set(m.shards.map((s) => s.digest))) {
      holders.set(digest, [...(holders.get(digest) ?? []), owners.version(m.name, m.version)]);
    }
  }
  for (const doc of legacy) {
    const digest = doc.key.slice(LEGACY.length);
    // A reference needs its blob; a count left for a blob already gone just goes.
    const present = (await store.statBlob(digest)) !== undefined;
    const refs = present ? (holders.get(digest) ?? []) : [];
    await store.commit([
      { op: 'delete', key: doc.key, ifVersion: doc.version },
      ...refs.map((owner): TxOp => ({ op: 'ref', digest, owner })),
    ]);
  }
  return legacy.length;
}
