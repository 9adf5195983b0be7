/** The Store contract on LMDB: documents, indexes, logs and blobs in one environment, writes as child txns. */
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { RootDatabase } from 'lmdb';
import { ConflictError, NotFoundError } from '../../errors/index.js';
import { checkChunk, planRead } from '../blob/read.js';
import { trackedWriter, writeWhole } from '../blob/writer.js';
import { decode } from '../codec.js';
import { Lifecycle } from '../lifecycle.js';
import { checkCount, checkDigest, checkMember, checkName, checkPrefix, checkScore } from '../names.js';
import { Listeners } from '../notify.js';
import { addCursor, addFreed, type PreparedOp, prepareOps, withFence } from '../ops.js';
import type {
  BlobInfo,
  BlobReadOptions,
  BlobWriteOptions,
  BlobWriter,
  Change,
  Doc,
  Fence,
  IndexEntry,
  ListOptions,
  LogEntry,
  PutOptions,
  RangeOptions,
  ReadOptions,
  Store,
  TxOp,
  TxResult,
  Unsubscribe,
  Value,
} from '../types.js';
import type { LmdbBlobs } from './blobs.js';
import type { Dbs } from './dbs.js';
import {
  decodeIndexKey,
  indexHigh,
  indexKey,
  indexLow,
  logKey,
  memberKey,
  nameEnd,
  namePrefix,
  readCursor,
} from './keys.js';

const PRESENT = Buffer.of(1);
/** Long blob visits hand the event loop back this often so one reader cannot starve the process. */
const YIELD_EVERY_BYTES = 64 * 1024 * 1024;

interface Applied {
  result: TxResult;
  /** Per op: the new version (put), whether something was removed (delete, indexRemove), the cursor (append). */
  outcomes: (number | boolean | undefined)[];
  changes: Change[];
}

export class LmdbStore implements Store {
  readonly backend = 'lmdb' as const;
  readonly #root: RootDatabase;
  readonly #db: Dbs;
  readonly #blobs: LmdbBlobs;
  readonly #chunkSize: number;
  readonly #listeners = new Listeners();
  readonly #life = new Lifecycle('lmdb');
  #fence: Fence | undefined;

  constructor(root: RootDatabase, db: Dbs, blobs: LmdbBlobs, chunkSize: number) {
    this.#root = root;
    this.#db = db;
    this.#blobs = blobs;
    this.#chunkSize = chunkSize;
  }

  // Documents

  get<T = Value>(key: string): Promise<Doc<T> | undefined> {
    return this.#life.run(async () => {
      const entry = this.#db.docs.getEntry(checkName(key));
      if (entry === undefined) return undefined;
      return { key, value: decode<T>(entry.value), version: entry.version ?? 0 };
    });
  }

  async put(key: string, value: Value, options: PutOptions = {}): Promise<number> {
    const { outcomes } = await this.#commit([{ op: 'put', key, value, ifVersion: options.ifVersion }]);
    return outcomes[0] as number;
  }

  async delete(key: string, options: PutOptions = {}): Promise<boolean> {
    const { outcomes } = await this.#commit([{ op: 'delete', key, ifVersion: options.ifVersion }]);
    return outcomes[0] as boolean;
  }

  list<T = Value>(prefix: string, options: ListOptions = {}): Promise<Doc<T>[]> {
    return this.#life.run(async () => {
      checkPrefix(prefix);
      const limit = checkCount(options.limit, 'limit') ?? Number.POSITIVE_INFINITY;
      const after = options.after;
      const start = after !== undefined && after >= prefix ? after : prefix;
      const docs: Doc<T>[] = [];
      if (limit === 0) return docs;
      for (const { key, value, version } of this.#db.docs.getRange(
        start === '' ? { versions: true } : { start, versions: true },
      )) {
        if (key === after) continue;
        if (!key.startsWith(prefix)) break;
        docs.push({ key, value: decode<T>(value), version: version ?? 0 });
        if (docs.length >= limit) break;
      }
      return docs;
    });
  }

  // Indexes

  async indexAdd(index: string, member: string, score: number): Promise<void> {
    await this.#commit([{ op: 'indexAdd', index, member, score }]);
  }

  async indexRemove(index: string, member: string): Promise<boolean> {
    const { outcomes } = await this.#commit([{ op: 'indexRemove', index, member }]);
    return outcomes[0] as boolean;
  }

  indexScore(index: string, member: string): Promise<number | undefined> {
    return this.#life.run(async () =>
      this.#db.members.get(memberKey(checkName(index, 'index'), checkMember(member))),
    );
  }

  indexRange(index: string, options: RangeOptions = {}): Promise<IndexEntry[]> {
    return this.#life.run(async () => {
      checkName(index, 'index');
      const min = options.min === undefined ? Number.NEGATIVE_INFINITY : checkScore(options.min);
      const max = options.max === undefined ? Number.POSITIVE_INFINITY : checkScore(options.max);
      const offset = checkCount(options.offset, 'offset');
      const limit = checkCount(options.limit, 'limit');
      if (min > max || limit === 0) return [];
      const low = indexLow(index, min);
      const high = indexHigh(index, max);
      const bounds = options.reverse ? { start: high, end: low, reverse: true } : { start: low, end: high };
      const entries: IndexEntry[] = [];
      for (const key of this.#db.index.getKeys({ ...bounds, offset, limit })) {
        entries.push(decodeIndexKey(index, key));
      }
      return entries;
    });
  }

  indexCount(index: string): Promise<number> {
    return this.#life.run(async () => {
      checkName(index, 'index');
      return this.#db.members.getKeysCount({ start: namePrefix(index), end: nameEnd(index) });
    });
  }

  // Logs

  async append(log: string, value: Value): Promise<number> {
    const { outcomes } = await this.#commit([{ op: 'append', log, value }]);
    return outcomes[0] as number;
  }

  async appendMany(log: string, values: Value[]): Promise<number[]> {
    const { outcomes } = await this.#commit(values.map((value) => ({ op: 'append', log, value })));
    return outcomes as number[];
  }

  read<T = Value>(log: string, options: ReadOptions = {}): Promise<LogEntry<T>[]> {
    return this.#life.run(async () => {
      checkName(log, 'log');
      const after = checkCount(options.after, 'after') ?? 0;
      const limit = checkCount(options.limit, 'limit');
      if (limit === 0) return [];
      const entries: LogEntry<T>[] = [];
      for (const { key, value } of this.#db.logs.getRange({
        start: logKey(log, after + 1),
        end: nameEnd(log),
        limit,
      })) {
        entries.push({ cursor: readCursor(key), value: decode<T>(value) });
      }
      return entries;
    });
  }

  lastCursor(log: string): Promise<number> {
    return this.#life.run(async () => this.#db.seqs.get(checkName(log, 'log')) ?? 0);
  }

  async deleteEntries(log: string, cursors: number[]): Promise<number> {
    const { outcomes } = await this.#commit([{ op: 'deleteEntries', log, cursors }]);
    return outcomes[0] as number;
  }

  async trimLog(log: string, before: number): Promise<number> {
    const { outcomes } = await this.#commit([{ op: 'trimLog', log, before }]);
    return outcomes[0] as number;
  }

  // Blobs

  blobWriter(options?: BlobWriteOptions): BlobWriter {
    return trackedWriter(this.#life, this.#blobs, this.#chunkSize, options);
  }

  putBlob(bytes: Uint8Array, options?: BlobWriteOptions): Promise<BlobInfo> {
    return writeWhole(this.blobWriter(options), bytes);
  }

  blobOwners(digest: string): Promise<string[]> {
    return this.#life.run(async () => this.#blobs.owners.list(checkDigest(digest)));
  }

  statBlob(digest: string): Promise<BlobInfo | undefined> {
    return this.#life.run(async () => this.#blobs.stat(checkDigest(digest)));
  }

  async *readBlob(digest: string, options: BlobReadOptions = {}): AsyncIterable<Uint8Array> {
    const info = await this.#manifest(digest);
    for (const slice of planRead(info, options)) {
      this.#life.checkOpen();
      // Verify and copy before anything else reads: the fast view is overwritten by the next get.
      const view = this.#blobs.chunkView(slice.sha);
      checkChunk(info, slice, view, options.verify ?? true);
      yield Buffer.from(view.subarray(slice.from, slice.to));
    }
  }

  visitBlob(
    digest: string,
    fn: (chunk: Uint8Array, offset: number) => void,
    options: BlobReadOptions = {},
  ): Promise<void> {
    return this.#life.run(async () => {
      const info = await this.#manifest(digest);
      const verify = options.verify ?? true;
      let sinceYield = 0;
      for (const slice of planRead(info, options)) {
        const view = this.#blobs.chunkView(slice.sha);
        checkChunk(info, slice, view, verify);
        fn(view.subarray(slice.from, slice.to), slice.offset);
        sinceYield += slice.to - slice.from;
        if (sinceYield >= YIELD_EVERY_BYTES) {
          sinceYield = 0;
          await yieldToLoop();
        }
      }
    });
  }

  deleteBlob(digest: string): Promise<boolean> {
    return this.#life.run(() => this.#blobs.delete(checkDigest(digest)));
  }

  // Transactions and notifications

  async commit(ops: TxOp[]): Promise<TxResult> {
    return (await this.#commit(ops)).result;
  }

  setFence(fence: Fence): void {
    this.#fence = { key: checkName(fence.key), version: fence.version };
  }

  async subscribe(prefix: string, listener: (change: Change) => void): Promise<Unsubscribe> {
    this.#life.checkOpen();
    return this.#listeners.add(checkPrefix(prefix), listener);
  }

  close(): Promise<void> {
    return this.#life.close(async () => {
      this.#listeners.clear();
      await this.#root.close();
    });
  }

  /** Releases uploads a previous process left unfinished; called once at open. */
  sweepUploads(): Promise<number> {
    return this.#life.run(() => this.#blobs.sweep());
  }

  // Internals

  #commit(ops: readonly TxOp[]): Promise<Applied> {
    return this.#life.run(async () => {
      const prepared = prepareOps(withFence(ops, this.#fence));
      const applied = await this.#root.childTransaction(() => this.#apply(prepared));
      // Emitted after the commit resolves; commits resolve in order, so listeners see commit order.
      for (const change of applied.changes) this.#listeners.emit(change);
      return applied;
    });
  }

  /** Runs inside a child transaction: a throw (CAS failure) aborts it, leaving nothing written. */
  #apply(ops: PreparedOp[]): Applied {
    const { docs, index, members, logs, seqs } = this.#db;
    const applied: Applied = { result: { versions: {}, cursors: {} }, outcomes: [], changes: [] };
    const unowned = new Set<string>();
    for (const op of ops) {
      switch (op.op) {
        case 'check': {
          const current = docs.getEntry(op.key)?.version ?? 0;
          if (op.version !== current) throw versionConflict(op.key, op.version, current);
          break;
        }
        case 'put':
        case 'delete': {
          const current = docs.getEntry(op.key)?.version ?? 0;
          if (op.ifVersion !== undefined && op.ifVersion !== current) {
            throw versionConflict(op.key, op.ifVersion, current);
          }
          if (op.op === 'put') {
            const version = current + 1;
            docs.putSync(op.key, op.bytes, version);
            applied.result.versions[op.key] = version;
            applied.outcomes.push(version);
            applied.changes.push({ kind: 'put', key: op.key, version });
          } else {
            if (current > 0) {
              docs.removeSync(op.key);
              applied.changes.push({ kind: 'delete', key: op.key });
            }
            applied.result.versions[op.key] = 0;
            applied.outcomes.push(current > 0);
          }
          break;
        }
        case 'indexAdd': {
          const mkey = memberKey(op.index, op.member);
          const old = members.get(mkey);
          if (old !== undefined) index.removeSync(indexKey(op.index, old, op.member));
          index.putSync(indexKey(op.index, op.score, op.member), PRESENT);
          members.putSync(mkey, op.score);
          applied.outcomes.push(undefined);
          break;
        }
        case 'indexRemove': {
          const mkey = memberKey(op.index, op.member);
          const old = members.get(mkey);
          if (old !== undefined) {
            index.removeSync(indexKey(op.index, old, op.member));
            members.removeSync(mkey);
          }
          applied.outcomes.push(old !== undefined);
          break;
        }
        case 'append': {
          const cursor = (seqs.get(op.log) ?? 0) + 1;
          logs.putSync(logKey(op.log, cursor), op.bytes);
          seqs.putSync(op.log, cursor);
          addCursor(applied.result, op.log, cursor);
          applied.outcomes.push(cursor);
          applied.changes.push({ kind: 'append', log: op.log, cursor });
          break;
        }
        case 'deleteEntries': {
          let removed = 0;
          for (const cursor of op.cursors) if (logs.removeSync(logKey(op.log, cursor))) removed++;
          applied.outcomes.push(removed);
          break;
        }
        case 'trimLog': {
          // Keys first, then removal: the range iterator must not see the tree change under it.
          const range = { start: logKey(op.log, 1), end: logKey(op.log, op.before) };
          const keys = op.before > 1 ? [...logs.getKeys(range)] : [];
          for (const key of keys) logs.removeSync(key);
          applied.outcomes.push(keys.length);
          break;
        }
        case 'ref':
          if (this.#blobs.stat(op.digest) === undefined) throw missingBlob(op.digest);
          this.#blobs.owners.add(op.digest, op.owner);
          applied.outcomes.push(undefined);
          break;
        case 'unref':
          this.#blobs.owners.drop(op.digest, op.owner);
          unowned.add(op.digest);
          applied.outcomes.push(undefined);
          break;
      }
    }
    // Freed here, in the transaction that dropped the last owner: a concurrent `ref` either committed first (and
    // keeps the blob) or runs after and finds the blob gone, so no reference can point at a freed blob.
    for (const digest of unowned) if (this.#blobs.freeIfUnowned(digest)) addFreed(applied.result, digest);
    return applied;
  }

  async #manifest(digest: string): Promise<BlobInfo> {
    this.#life.checkOpen();
    const info = this.#blobs.stat(checkDigest(digest));
    if (info === undefined) throw missingBlob(digest);
    return info;
  }
}

const versionConflict = (key: string, expected: number, actual: number) =>
  new ConflictError(`version conflict on ${key}: expected ${expected}, found ${actual}`, {
    details: { key, expected, actual },
  });

const missingBlob = (digest: string) =>
  new NotFoundError(`blob ${digest} not found`, { details: { digest } });
