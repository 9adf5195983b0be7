/** Blob owners on LMDB: one `digest/owner` key per reference, read and written inside the caller's transaction. */
import type { Database } from 'lmdb';

const PRESENT = Buffer.of(1);
// Digests are hex and owners follow them after '/', so `digest/` .. `digest0` bounds exactly one digest.
const low = (digest: string): string => `${digest}/`;
const high = (digest: string): string => `${digest}0`;

export class LmdbOwners {
  readonly #db: Database<Buffer, string>;

  constructor(db: Database<Buffer, string>) {
    this.#db = db;
  }

  add(digest: string, owner: string): void {
    this.#db.putSync(low(digest) + owner, PRESENT);
  }

  drop(digest: string, owner: string): void {
    this.#db.removeSync(low(digest) + owner);
  }

  list(digest: string): string[] {
    const from = low(digest).length;
    return [...this.#db.getKeys({ start: low(digest), end: high(digest) })].map((k) => k.slice(from));
  }

  any(digest: string): boolean {
    return this.#db.getKeysCount({ start: low(digest), end: high(digest), limit: 1 }) > 0;
  }

  clear(digest: string): void {
    for (const owner of this.list(digest)) this.drop(digest, owner);
  }
}
