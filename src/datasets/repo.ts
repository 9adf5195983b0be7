/**
 * Dataset records in the store: versions allocated by compare-and-set, each version owning its shard blobs in
 * the transaction that writes its manifest, and pending records so a crash leaves no orphan blob.
 */

import type { Manifest } from '../api/index.js';
import { ConflictError, NotFoundError } from '../errors/index.js';
import type { EventArchive } from '../events/index.js';
import type { Store, TxOp } from '../store/index.js';
import { type HeadDoc, keys, owners, type PendingDoc } from './keys.js';

const MAX_ATTEMPTS = 50;

export class DatasetRepo {
  readonly #store: Store;
  readonly #events: EventArchive;

  constructor(store: Store, events: EventArchive) {
    this.#store = store;
    this.#events = events;
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

  /**
   * Stores the manifest under the next free version, its blobs passing from the import to the version, and its
   * event, in one commit.
   */
  async commitVersion(manifest: Omit<Manifest, 'version'>, pendingId: string): Promise<number> {
    const digests = [...new Set(manifest.shards.map((s) => s.digest))];
    for (let attempt = 0; ; attempt++) {
      const head = await this.#store.get<HeadDoc>(keys.head(manifest.name));
      const version = (head?.value.last ?? 0) + 1;
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
        // Referenced by the version before the import lets go, so the blobs are never unowned.
        ...refOps('ref', digests, owners.version(manifest.name, version)),
        ...refOps('unref', digests, owners.import(pendingId)),
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

  /** Removes a version; its shard blobs no other owner holds are freed in the same commit and returned. */
  async deleteVersion(name: string, version: number, actor?: string): Promise<string[]> {
    for (let attempt = 0; ; attempt++) {
      const head = await this.#store.get<HeadDoc>(keys.head(name));
      const doc = await this.#store.get<Manifest>(keys.manifest(name, version));
      if (!head || !doc || !head.value.versions.includes(version)) {
        throw new NotFoundError(`no version ${version} of dataset "${name}"`, { details: { name, version } });
      }
      const digests = [...new Set(doc.value.shards.map((s) => s.digest))];
      const ops: TxOp[] = [
        {
          op: 'put',
          key: keys.head(name),
          value: { ...head.value, versions: head.value.versions.filter((v) => v !== version) },
          ifVersion: head.version,
        },
        { op: 'delete', key: keys.manifest(name, version), ifVersion: doc.version },
        ...refOps('unref', digests, owners.version(name, version)),
        this.#events.op({
          type: 'dataset.deleted',
          data: actor === undefined ? { name, version } : { name, version, actor },
        }),
      ];
      try {
        return (await this.#store.commit(ops)).freed ?? [];
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }

  /**
   * Rolls back a pending record: the import lets go of its blobs (freeing those nobody else owns) and the record
   * goes, in one commit. Safe to repeat.
   */
  async settle(pendingId: string, digests: string[]): Promise<void> {
    await this.#store.commit([
      ...refOps('unref', [...new Set(digests)], owners.import(pendingId)),
      { op: 'delete', key: keys.pending(pendingId) },
    ]);
  }

  /** Settles every pending record: at start-up, before any import runs, they are all stale. */
  async recover(): Promise<number> {
    const pending = await this.#store.list<PendingDoc>(keys.pendings);
    for (const p of pending) await this.settle(p.key.slice(keys.pendings.length), p.value.digests);
    return pending.length;
  }
}

const refOps = (op: 'ref' | 'unref', digests: string[], owner: string): TxOp[] =>
  digests.map((digest) => ({ op, digest, owner }));
