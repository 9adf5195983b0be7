/** The Store contract on Redis: Lua scripts for atomic writes, ZSETs for indexes, streams for logs. */
import type { Redis } from 'ioredis';
import { ConflictError, NotFoundError, UnavailableError } from '../../errors/index.js';
import { type ChunkSlice, checkChunk, planRead } from '../blob/read.js';
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
import type { Manifest, RedisBlobs } from './blobs.js';
import type { RedisKeys } from './keys.js';
import type { Scripts } from './scripts.js';

export interface RedisParts {
  redis: Redis;
  keys: RedisKeys;
  scripts: Scripts;
  blobs: RedisBlobs;
  chunkSize: number;
  sweepEveryMs: number;
}

export class RedisStore implements Store {
  readonly backend = 'redis' as const;
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #scripts: Scripts;
  readonly #blobs: RedisBlobs;
  readonly #chunkSize: number;
  readonly #listeners = new Listeners();
  readonly #life = new Lifecycle('redis');
  readonly #sweeper: NodeJS.Timeout;
  #subscriber: Promise<Redis> | undefined;
  #fence: Fence | undefined;

  constructor(parts: RedisParts) {
    this.#redis = parts.redis;
    this.#keys = parts.keys;
    this.#scripts = parts.scripts;
    this.#blobs = parts.blobs;
    this.#chunkSize = parts.chunkSize;
    this.#sweeper = setInterval(() => {
      this.#blobs.sweep().catch(() => {
        // A failed sweep is retried at the next tick; stale uploads only cost space meanwhile.
      });
    }, parts.sweepEveryMs);
    this.#sweeper.unref();
  }

  // Documents

  get<T = Value>(key: string): Promise<Doc<T> | undefined> {
    return this.#life.run(async () => {
      const [v, d] = await this.#redis.hmgetBuffer(this.#keys.doc(checkName(key)), 'v', 'd');
      if (!v || !d) return undefined;
      return { key, value: decode<T>(d), version: Number(v) };
    });
  }

  async put(key: string, value: Value, options: PutOptions = {}): Promise<number> {
    const { outcomes } = await this.#commit([{ op: 'put', key, value, ifVersion: options.ifVersion }]);
    return outcomes[0]!;
  }

  async delete(key: string, options: PutOptions = {}): Promise<boolean> {
    const { outcomes } = await this.#commit([{ op: 'delete', key, ifVersion: options.ifVersion }]);
    return outcomes[0] === 1;
  }

  list<T = Value>(prefix: string, options: ListOptions = {}): Promise<Doc<T>[]> {
    return this.#life.run(async () => {
      checkPrefix(prefix);
      const limit = checkCount(options.limit, 'limit') ?? -1;
      if (limit === 0) return [];
      const after = options.after;
      const min =
        after !== undefined && after >= prefix
          ? Buffer.from(`(${after}`)
          : prefix === ''
            ? '-'
            : Buffer.from(`[${prefix}`);
      // Document keys are ASCII, so `prefix` followed by 0xff sorts after every key that starts with it.
      const max = prefix === '' ? '+' : Buffer.concat([Buffer.from(`[${prefix}`), Buffer.of(0xff)]);
      const reply = (await this.#scripts.list(
        [this.#keys.docKeys],
        [min, max, limit, this.#keys.docPrefix],
      )) as Buffer[];
      const docs: Doc<T>[] = [];
      for (let i = 0; i < reply.length; i += 3) {
        docs.push({ key: String(reply[i]), version: Number(reply[i + 1]), value: decode<T>(reply[i + 2]!) });
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
    return outcomes[0] === 1;
  }

  indexScore(index: string, member: string): Promise<number | undefined> {
    return this.#life.run(async () => {
      const score = await this.#redis.zscore(
        this.#keys.index(checkName(index, 'index')),
        checkMember(member),
      );
      return score === null ? undefined : fromRedisScore(score);
    });
  }

  indexRange(index: string, options: RangeOptions = {}): Promise<IndexEntry[]> {
    return this.#life.run(async () => {
      const key = this.#keys.index(checkName(index, 'index'));
      const min = options.min === undefined ? '-inf' : toRedisScore(checkScore(options.min));
      const max = options.max === undefined ? '+inf' : toRedisScore(checkScore(options.max));
      const offset = checkCount(options.offset, 'offset');
      const limit = checkCount(options.limit, 'limit');
      if (limit === 0) return [];
      const args: (string | number)[] = options.reverse
        ? [key, max, min, 'BYSCORE', 'REV']
        : [key, min, max, 'BYSCORE'];
      if (offset !== undefined || limit !== undefined) args.push('LIMIT', offset ?? 0, limit ?? -1);
      args.push('WITHSCORES');
      const reply = (await this.#redis.call('ZRANGE', ...args)) as string[];
      const entries: IndexEntry[] = [];
      for (let i = 0; i < reply.length; i += 2) {
        entries.push({ member: reply[i]!, score: fromRedisScore(reply[i + 1]!) });
      }
      return entries;
    });
  }

  indexCount(index: string): Promise<number> {
    return this.#life.run(() => this.#redis.zcard(this.#keys.index(checkName(index, 'index'))));
  }

  // Logs

  async append(log: string, value: Value): Promise<number> {
    const { outcomes } = await this.#commit([{ op: 'append', log, value }]);
    return outcomes[0]!;
  }

  async appendMany(log: string, values: Value[]): Promise<number[]> {
    const { outcomes } = await this.#commit(values.map((value) => ({ op: 'append', log, value })));
    return outcomes;
  }

  read<T = Value>(log: string, options: ReadOptions = {}): Promise<LogEntry<T>[]> {
    return this.#life.run(async () => {
      const key = this.#keys.log(checkName(log, 'log'));
      const after = checkCount(options.after, 'after') ?? 0;
      const limit = checkCount(options.limit, 'limit');
      if (limit === 0) return [];
      const start = `0-${after + 1}`;
      const reply =
        limit === undefined
          ? await this.#redis.xrangeBuffer(key, start, '+')
          : await this.#redis.xrangeBuffer(key, start, '+', 'COUNT', limit);
      return reply.map(([id, fields]) => ({
        cursor: Number(String(id).slice(2)),
        value: decode<T>(fields[1]!),
      }));
    });
  }

  lastCursor(log: string): Promise<number> {
    return this.#life.run(async () =>
      Number((await this.#redis.get(this.#keys.seq(checkName(log, 'log')))) ?? 0),
    );
  }

  async deleteEntries(log: string, cursors: number[]): Promise<number> {
    const { outcomes } = await this.#commit([{ op: 'deleteEntries', log, cursors }]);
    return outcomes[0]!;
  }

  async trimLog(log: string, before: number): Promise<number> {
    const { outcomes } = await this.#commit([{ op: 'trimLog', log, before }]);
    return outcomes[0]!;
  }

  // Blobs

  blobWriter(options?: BlobWriteOptions): BlobWriter {
    return trackedWriter(this.#life, this.#blobs, this.#chunkSize, options);
  }

  putBlob(bytes: Uint8Array, options?: BlobWriteOptions): Promise<BlobInfo> {
    return writeWhole(this.blobWriter(options), bytes);
  }

  blobOwners(digest: string): Promise<string[]> {
    return this.#life.run(() => this.#blobs.owners(checkDigest(digest)));
  }

  statBlob(digest: string): Promise<BlobInfo | undefined> {
    return this.#life.run(() => this.#blobs.stat(checkDigest(digest)));
  }

  async *readBlob(digest: string, options: BlobReadOptions = {}): AsyncIterable<Uint8Array> {
    const info = await this.#manifest(digest);
    const verify = options.verify ?? true;
    const slices = planRead(info, options);
    // One chunk in flight ahead of the consumer hides the round trip.
    let next = this.#prefetch(slices[0]);
    for (let i = 0; i < slices.length; i++) {
      const slice = slices[i]!;
      const bytes = await next;
      next = this.#prefetch(slices[i + 1]);
      checkChunk(info, slice, bytes, verify);
      yield bytes.subarray(slice.from, slice.to);
    }
  }

  visitBlob(
    digest: string,
    fn: (chunk: Uint8Array, offset: number) => void,
    options: BlobReadOptions = {},
  ): Promise<void> {
    return this.#life.run(async () => {
      let offset = options.start ?? 0;
      for await (const bytes of this.readBlob(digest, options)) {
        fn(bytes, offset);
        offset += bytes.length;
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

  subscribe(prefix: string, listener: (change: Change) => void): Promise<Unsubscribe> {
    return this.#life.run(async () => {
      checkPrefix(prefix);
      await this.#subscriberConnection();
      return this.#listeners.add(prefix, listener);
    });
  }

  close(): Promise<void> {
    clearInterval(this.#sweeper);
    return this.#life.close(async () => {
      this.#listeners.clear();
      const failures: unknown[] = [];
      const subscriber = this.#subscriber?.catch(() => undefined);
      for (const connection of [this.#redis, await subscriber]) {
        if (!connection) continue;
        try {
          await connection.quit();
        } catch (error) {
          failures.push(error);
          connection.disconnect();
        }
      }
      if (failures.length > 0) {
        throw new UnavailableError('closing the Redis store failed', {
          cause: failures[0],
          details: { failures: failures.length },
        });
      }
    });
  }

  /** Releases uploads whose writer died; called at open and then periodically. */
  sweepUploads(leaseMs?: number): Promise<number> {
    return this.#life.run(() => this.#blobs.sweep(leaseMs));
  }

  // Internals

  #commit(ops: readonly TxOp[]): Promise<{ result: TxResult; outcomes: number[] }> {
    return this.#life.run(async () => {
      const prepared = prepareOps(withFence(ops, this.#fence));
      let reply: (Buffer | number)[];
      // An unref carries the manifest it may free; the script refuses it if the blob was replaced meanwhile.
      do {
        const manifests = await this.#unrefManifests(prepared);
        const { keys, args } = this.#commitArgs(prepared, manifests);
        reply = (await this.#scripts.commit(keys, args)) as (Buffer | number)[];
      } while (String(reply[0]) === 'stale');
      if (String(reply[0]) === 'missing') {
        const digest = String(reply[1]);
        throw new NotFoundError(`blob ${digest} not found`, { details: { digest } });
      }
      if (String(reply[0]) === 'conflict') {
        const key = String(reply[1]);
        const expected = Number(reply[2]);
        const actual = Number(reply[3]);
        throw new ConflictError(`version conflict on ${key}: expected ${expected}, found ${actual}`, {
          details: { key, expected, actual },
        });
      }
      const outcomes = reply.slice(1).map(Number);
      const result: TxResult = { versions: {}, cursors: {} };
      // A check has no reply slot (see PreparedOp), so outcomes line up with the other ops.
      prepared
        .filter((op) => op.op !== 'check')
        .forEach((op, i) => {
          if (op.op === 'put') result.versions[op.key] = outcomes[i]!;
          else if (op.op === 'delete') result.versions[op.key] = 0;
          else if (op.op === 'append') addCursor(result, op.log, outcomes[i]!);
          else if (op.op === 'unref' && outcomes[i] === 1) addFreed(result, op.digest);
        });
      return { result, outcomes };
    });
  }

  async #unrefManifests(ops: PreparedOp[]): Promise<Map<string, Manifest>> {
    const digests = new Set(ops.flatMap((op) => (op.op === 'unref' ? [op.digest] : [])));
    const read = [...digests].map(async (d) => [d, await this.#blobs.manifest(d)] as const);
    return new Map(await Promise.all(read));
  }

  #commitArgs(
    ops: PreparedOp[],
    manifests: Map<string, Manifest>,
  ): { keys: string[]; args: (string | Buffer | number)[] } {
    const k = this.#keys;
    const keys = [k.docKeys];
    const args: (string | Buffer | number)[] = [k.changes];
    for (const op of ops) {
      switch (op.op) {
        case 'put':
          keys.push(k.doc(op.key));
          args.push('p', op.key, op.ifVersion ?? '', op.bytes);
          break;
        case 'delete':
          keys.push(k.doc(op.key));
          args.push('d', op.key, op.ifVersion ?? '');
          break;
        case 'check':
          keys.push(k.doc(op.key));
          args.push('c', op.key, op.version);
          break;
        case 'indexAdd':
          keys.push(k.index(op.index));
          args.push('ia', op.member, toRedisScore(op.score));
          break;
        case 'indexRemove':
          keys.push(k.index(op.index));
          args.push('ir', op.member);
          break;
        case 'append':
          keys.push(k.log(op.log), k.seq(op.log));
          args.push('a', op.log, op.bytes);
          break;
        case 'deleteEntries':
          keys.push(k.log(op.log));
          args.push('x', op.cursors.length);
          for (const cursor of op.cursors) args.push(cursor);
          break;
        case 'trimLog':
          keys.push(k.log(op.log));
          args.push('t', op.before);
          break;
        case 'ref':
          keys.push(k.blob(op.digest), k.owners(op.digest));
          args.push('r', op.digest, op.owner);
          break;
        case 'unref': {
          const { raw, chunks } = manifests.get(op.digest)!;
          keys.push(k.blob(op.digest), k.owners(op.digest), k.chunkRefs);
          args.push('u', op.digest, op.owner, raw, k.chunkPrefix, chunks.length, ...chunks);
          break;
        }
      }
    }
    return { keys, args };
  }

  /** The second connection, in subscriber mode, opened on the first `subscribe`. */
  #subscriberConnection(): Promise<Redis> {
    this.#subscriber ??= (async () => {
      const sub = this.#redis.duplicate();
      sub.on('error', () => undefined); // reconnects by itself; see openRedisStore
      sub.on('message', (channel: string, message: string) => {
        if (channel !== this.#keys.changes) return;
        const change = parseChange(message);
        if (change) this.#listeners.emit(change);
      });
      await sub.subscribe(this.#keys.changes);
      return sub;
    })();
    return this.#subscriber;
  }

  /** Starts fetching a chunk; a consumer that stops early must not leave an unhandled rejection behind. */
  #prefetch(slice: ChunkSlice | undefined): Promise<Buffer | undefined> {
    if (slice === undefined) return Promise.resolve(undefined);
    const pending = this.#life.run(() => this.#blobs.chunk(slice.sha));
    pending.catch(() => undefined);
    return pending;
  }

  async #manifest(digest: string): Promise<BlobInfo> {
    const info = await this.#life.run(() => this.#blobs.stat(checkDigest(digest)));
    if (info === undefined) throw new NotFoundError(`blob ${digest} not found`, { details: { digest } });
    return info;
  }
}

function parseChange(message: string): Change | undefined {
  const [kind, name, n] = message.split('|');
  if (kind === 'p' && name && n) return { kind: 'put', key: name, version: Number(n) };
  if (kind === 'd' && name) return { kind: 'delete', key: name };
  if (kind === 'a' && name && n) return { kind: 'append', log: name, cursor: Number(n) };
  return undefined;
}

function toRedisScore(score: number): string {
  if (score === Number.POSITIVE_INFINITY) return '+inf';
  if (score === Number.NEGATIVE_INFINITY) return '-inf';
  return String(score);
}

function fromRedisScore(reply: string): number {
  if (reply === 'inf' || reply === '+inf') return Number.POSITIVE_INFINITY;
  if (reply === '-inf') return Number.NEGATIVE_INFINITY;
  return Number(reply);
}
