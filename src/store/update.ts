/** Optimistic read-modify-write of one document on top of compare-and-set. */
import { ConflictError } from '../errors/index.js';
import type { Doc, Store } from './types.js';

/**
 * Reads `key`, computes the next value with `fn` (called again on every retry, so keep it pure) and writes it
 * only if nobody wrote in between. Throws the last ConflictError after `retries` lost races.
 */
export async function updateDoc<T>(
  store: Store,
  key: string,
  fn: (current: T | undefined, doc: Doc<T> | undefined) => T,
  retries = 10,
): Promise<Doc<T>> {
  for (let attempt = 0; ; attempt++) {
    const doc = await store.get<T>(key);
    const value = fn(doc?.value, doc);
    try {
      const version = await store.put(key, value, { ifVersion: doc?.version ?? 0 });
      return { key, value, version };
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= retries) throw error;
    }
  }
}
