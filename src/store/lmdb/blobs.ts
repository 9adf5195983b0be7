/** LMDB blob storage: refcounted chunks keyed by sha256, manifests with owners, pending uploads swept at open. */
import type { RootDatabase } from 'lmdb';
import type { ChunkSink } from '../blob/sink.js';
import { decode, encode } from '../codec.js';
import type { BlobInfo } from '../types.js';
import type { Dbs } from './dbs.js';
import { pendingKey, uploadHigh, uploadLow } from './keys.js';
import type { LmdbOwners } from './owners.js';

export class LmdbBlobs implements ChunkSink {
  readonly #root: RootDatabase;
  readonly #db: Dbs;
  readonly owners: LmdbOwners;

  constructor(root: RootDatabase, db: Dbs, owners: LmdbOwners) {
    this.#root = root;
    this.#db = db;
    this.owners = owners;
  }

  async putChunk(uploadId: string, index: number, sha: string, bytes: Buffer): Promise<void> {
    const key = Buffer.from(sha, 'hex');
    await this.#root.childTransaction(() => {
      const refs = this.#db.refs.get(key) ?? 0;
      if (refs === 0 || !this.#db.chunks.doesExist(key)) this.#db.chunks.putSync(key, bytes);
      this.#db.refs.putSync(key, refs + 1);
      this.#db.pending.putSync(pendingKey(uploadId, index), key);
    });
  }

  async commit(uploadId: string, info: BlobInfo, owner?: string): Promise<BlobInfo> {
    return this.#root.childTransaction(() => {
      const existing = this.#db.blobs.get(info.digest);
      const held = this.#takePending(uploadId);
      if (owner !== undefined) this.owners.add(info.digest, owner);
      if (existing !== undefined) {
        // The identical blob already holds its own references; ours are surplus.
        for (const sha of held) this.#unref(sha);
        return decode<BlobInfo>(existing);
      }
      this.#db.blobs.putSync(info.digest, encode(info));
      return info;
    });
  }

  async release(uploadId: string): Promise<void> {
    await this.#root.childTransaction(() => {
      for (const sha of this.#takePending(uploadId)) this.#unref(sha);
    });
  }

  /** At open every pending upload is stale: the env is owned by this process and uploads do not survive it. */
  async sweep(): Promise<number> {
    return this.#root.childTransaction(() => {
      const entries = [...this.#db.pending.getRange({})].map(({ key, value }) => ({
        key: Buffer.from(key),
        sha: Buffer.from(value),
      }));
      for (const { key, sha } of entries) {
        this.#unref(sha);
        this.#db.pending.removeSync(key);
      }
      return entries.length;
    });
  }

  stat(digest: string): BlobInfo | undefined {
    const raw = this.#db.blobs.get(digest);
    return raw === undefined ? undefined : decode<BlobInfo>(raw);
  }

  async delete(digest: string): Promise<boolean> {
    return this.#root.childTransaction(() => {
      this.owners.clear(digest);
      return this.#remove(digest);
    });
  }

  /** Inside the caller's transaction: deletes the blob if it exists and nobody owns it. */
  freeIfUnowned(digest: string): boolean {
    return !this.owners.any(digest) && this.#remove(digest);
  }

  /** Zero-copy view of a chunk, valid only until the next LMDB read on this thread. */
  chunkView(sha: string): Buffer | undefined {
    const fast = this.#db.chunks.getBinaryFast(Buffer.from(sha, 'hex'));
    // lmdb-js may return its reusable read buffer with a patched `length`; a subarray gives an honest view
    // (still no copy) that crypto and typed-array code can trust.
    return fast?.subarray(0, fast.length);
  }

  /** Removes and returns the chunk references an upload holds (inside the caller's transaction). */
  #takePending(uploadId: string): Buffer[] {
    const entries = [
      ...this.#db.pending.getRange({ start: uploadLow(uploadId), end: uploadHigh(uploadId) }),
    ].map(({ key, value }) => ({ key: Buffer.from(key), sha: Buffer.from(value) }));
    for (const { key } of entries) this.#db.pending.removeSync(key);
    return entries.map((e) => e.sha);
  }

  #remove(digest: string): boolean {
    const raw = this.#db.blobs.get(digest);
    if (raw === undefined) return false;
    for (const sha of decode<BlobInfo>(raw).chunks) this.#unref(Buffer.from(sha, 'hex'));
    this.#db.blobs.removeSync(digest);
    return true;
  }

  #unref(sha: Buffer): void {
    const refs = this.#db.refs.get(sha) ?? 0;
    if (refs > 1) {
      this.#db.refs.putSync(sha, refs - 1);
    } else {
      this.#db.refs.removeSync(sha);
      this.#db.chunks.removeSync(sha);
    }
  }
}
