/**
 * Dataset records in the store: versions allocated by compare-and-set, shard blobs reference-counted
 * in the same transaction as the manifest, and pending records so a crash leaves no orphan blob.
 */

import type { Manifest } from '../api/index.js';
import { ConflictError, NotFoundError } from '../errors/index.js';
import type { EventArchive } from '../events/index.js';
import type { Doc, Store, TxOp } from '../store/index.js';
import { type HeadDoc, keys, type PendingDoc, type RefsDoc } from './keys.js';

const MAX_ATTEMPTS = 50;

export class DatasetRepo {
  readonly #store: Store;
  readonly #events: EventArchive;
  /** Digests an in-flight import has written but not yet committed: never deleted from under it. */
  readonly #holds = new Map<string, number>();

  constructor(store: Store, events: EventArchive) {
    this.#store = store;
    this.#events = events;
  }

  /** Serialises holding a digest against deciding to delete it, so a blob is never freed under an import. */
  #lock: Promise<unknown> = Promise.resolve();

  #locked<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = this.#lock.then(fn, fn);
    this.#lock = run.catch(() => undefined);
    return run;
  }

  /** Marks `digest` as in use by an import; call before writing the blob. */
  hold(digest: string): Promise<void> {
    return this.#locked(() => {
      this.#holds.set(digest, (this.#holds.get(digest) ?? 0) + 1);
    });
  }

  release(digest: string): void {
    const n = (this.#holds.get(digest) ?? 0) - 1;
    if (n > 0) this.#holds.set(digest, n);
    else this.#holds.delete(digest);
  }

  async head(name: string): Promise<HeadDoc | undefined> {
    return (await this.#store.get<HeadDoc>(keys.head(name)))?.value;
  }

  async heads(): Promise<HeadDoc[]> {
    return (await this.#store.list<HeadDoc>(keys.heads)).map((d) => d.value);
  }

  /** The manifest of `version`, or of the latest live version when it is undefined. */
  async manifest(name: string, version?: number): Promise<Manifest> {
    let v = version;
    if (v === undefined) {
      v = (await this.head(name))?.versions.at(-1);
      if (v === undefined) throw new NotFoundError(`no dataset "${name}"`, { details: { name } });
    }
    const doc = await this.#store.get<Manifest>(keys.manifest(name, v));
    if (!doc) {
      throw new NotFoundError(`no version ${v} of dataset "${name}"`, { details: { name, version: v } });
    }
    return doc.value;
  }

  async startPending(id: string, pending: PendingDoc): Promise<void> {
    await this.#store.put(keys.pending(id), pending);
  }

  /** Stores the manifest under the next free version, with its blob references and event, in one commit. */
  async commitVersion(manifest: Omit<Manifest, 'version'>, pendingId: string): Promise<number> {
    const digests = [...new Set(manifest.shards.map((s) => s.digest))];
    for (let attempt = 0; ; attempt++) {
      const head = await this.#store.get<HeadDoc>(keys.head(manifest.name));
      const version = (head?.value.last ?? 0) + 1;
      const refs = await this.#refs(digests);
      const ops: TxOp[] = [
        {
          op: 'put',
          key: keys.head(manifest.name),
          value: { name: manifest.name, versions: [...(head?.value.versions ?? []), version], last: version },
          ifVersion: head?.version ?? 0,
        },
        {
          op: 'put',
          key: keys.manifest(manifest.name, version),
          value: { ...manifest, version },
          ifVersion: 0,
        },
        ...digests.map((d, i): TxOp => refOp(d, refs[i], +1)),
        { op: 'delete', key: keys.pending(pendingId) },
        this.#events.op({
          type: 'dataset.pushed',
          data: { name: manifest.name, version, rows: manifest.rows, bytes: manifest.bytes },
        }),
      ];
      try {
        await this.#store.commit(ops);
        return version;
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }

  /** Removes a version; returns the blobs no live version uses any more (recorded as pending until freed). */
  async deleteVersion(name: string, version: number, pendingId: string): Promise<string[]> {
    for (let attempt = 0; ; attempt++) {
      const head = await this.#store.get<HeadDoc>(keys.head(name));
      const doc = await this.#store.get<Manifest>(keys.manifest(name, version));
      if (!head || !doc || !head.value.versions.includes(version)) {
        throw new NotFoundError(`no version ${version} of dataset "${name}"`, { details: { name, version } });
      }
      const digests = [...new Set(doc.value.shards.map((s) => s.digest))];
      const refs = await this.#refs(digests);
      const freed = digests.filter((_, i) => (refs[i]?.value.refs ?? 0) <= 1);
      const pending: PendingDoc = {
        kind: 'delete',
        name,
        digests: freed,
        startedAt: new Date().toISOString(),
      };
      const ops: TxOp[] = [
        {
          op: 'put',
          key: keys.head(name),
          value: { ...head.value, versions: head.value.versions.filter((v) => v !== version) },
          ifVersion: head.version,
        },
        { op: 'delete', key: keys.manifest(name, version), ifVersion: doc.version },
        ...digests.map((d, i): TxOp => refOp(d, refs[i], -1)),
        ...(freed.length
          ? [{ op: 'put', key: keys.pending(pendingId), value: pending, ifVersion: 0 } as TxOp]
          : []),
        this.#events.op({ type: 'dataset.deleted', data: { name, version } }),
      ];
      try {
        await this.#store.commit(ops);
        return freed;
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }

  /**
   * Deletes the blobs of a pending record that no live version references and no in-flight import
   * holds, then the record itself. Safe to repeat: what is already gone is skipped.
   */
  async settle(pendingId: string, digests: string[]): Promise<void> {
    for (const d of digests) {
      await this.#locked(async () => {
        if (this.#holds.has(d) || (await this.#store.get(keys.blobRefs(d)))) return;
        await this.#store.deleteBlob(d);
      });
    }
    await this.#store.delete(keys.pending(pendingId));
  }

  /** Settles every pending record: at start-up, before any import runs, they are all stale. */
  async recover(): Promise<number> {
    const pending = await this.#store.list<PendingDoc>(keys.pendings);
    for (const p of pending) await this.settle(p.key.slice(keys.pendings.length), p.value.digests);
    return pending.length;
  }

  async #refs(digests: string[]): Promise<Array<Doc<RefsDoc> | undefined>> {
    return Promise.all(digests.map((d) => this.#store.get<RefsDoc>(keys.blobRefs(d))));
  }
}

function refOp(digest: string, doc: Doc<RefsDoc> | undefined, delta: 1 | -1): TxOp {
  const refs = (doc?.value.refs ?? 0) + delta;
  const ifVersion = doc?.version ?? 0;
  return refs > 0
    ? { op: 'put', key: keys.blobRefs(digest), value: { refs }, ifVersion }
    : { op: 'delete', key: keys.blobRefs(digest), ifVersion };
}
