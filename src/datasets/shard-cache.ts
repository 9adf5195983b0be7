/**
 * Shards already read out of the store, kept for the next reader. Every epoch of every consumer reads the same
 * immutable, content-addressed shards, and copying each one out of the store again halved the intake stream's
 * rate (bench/intake.ts). The least recently used go once the cache holds more than its byte budget; readers of a
 * shard that is still loading share that load; a failed load is not kept.
 */
export class ShardCache<T> {
  readonly #maxBytes: number;
  readonly #entries = new Map<string, { value: Promise<T>; bytes: number }>();
  #bytes = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /** Bytes of the shards held (or loading). */
  get bytes(): number {
    return this.#bytes;
  }

  /** The shard under `key` (`bytes` long), from the cache or from `load`. */
  get(key: string, bytes: number, load: () => Promise<T>): Promise<T> {
    const hit = this.#entries.get(key);
    if (hit) {
      // Map order is the recency order: a hit moves to the end.
      this.#entries.delete(key);
      this.#entries.set(key, hit);
      return hit.value;
    }
    const value = load();
    if (bytes > this.#maxBytes) return value;
    const entry = { value, bytes };
    this.#entries.set(key, entry);
    this.#bytes += bytes;
    value.catch(() => this.#remove(key, entry));
    for (const [k, e] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#remove(k, e);
    }
    return value;
  }

  /** Forgets shards (deleted from the store: their memory is not held until they age out). */
  forget(keys: Iterable<string>): void {
    for (const key of keys) {
      const entry = this.#entries.get(key);
      if (entry) this.#remove(key, entry);
    }
  }

  #remove(key: string, entry: { bytes: number }): void {
    if (this.#entries.get(key) !== entry) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}
