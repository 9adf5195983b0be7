/** Turns the weights-blob reference lists the registry kept before blob owners into owners, once. */
import type { Store, TxOp } from '../store/index.js';
import { generationOwner } from './keys.js';

/** `modelblob/<digest>` → the generations (`name#generation`) whose weights are that blob. */
const LEGACY = 'modelblob/';

interface LegacyRefs {
  refs: string[];
}

/**
 * Each list is replaced, in one commit, by an owner per generation; a crash part-way leaves the remaining lists
 * for the next start. Returns how many lists were converted.
 */
export async function migrateModelRefs(store: Store): Promise<number> {
  const legacy = await store.list<LegacyRefs>(LEGACY);
  for (const doc of legacy) {
    const digest = doc.key.slice(LEGACY.length);
    // A reference needs its blob; a list left for a blob already gone just goes.
    const present = (await store.statBlob(digest)) !== undefined;
    const refs = present ? doc.value.refs : [];
    await store.commit([
      { op: 'delete', key: doc.key, ifVersion: doc.version },
      ...refs.map((ref): TxOp => {
        const at = ref.lastIndexOf('#');
        return { op: 'ref', digest, owner: generationOwner(ref.slice(0, at), Number(ref.slice(at + 1))) };
      }),
    ]);
  }
  return legacy.length;
}
