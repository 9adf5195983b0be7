/** The Store contract test suite: registers the same node:test cases for any backend given a harness. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  ConflictError,
  CorruptError,
  InvalidError,
  NotFoundError,
  UnavailableError,
} from '../../errors/index.js';
import type { Change, Store, TxOp } from '../types.js';
import { updateDoc } from '../update.js';
import { fenceCases } from './fence-contract.js';
import { logDeleteCases } from './log-delete-contract.js';
import { refCases } from './refs-contract.js';

/** One test's private storage, plus raw access for what the contract cannot do (tamper, count chunks). */
export interface StoreHarness {
  /** Opens a store on this harness's storage (empty the first time). */
  open(options: { chunkSize: number }): Promise<Store>;
  /** Opens the storage again as a process restarting after a crash would: unfinished uploads are abandoned. */
  reopen(options: { chunkSize: number }): Promise<Store>;
  /** Chunk records present in the raw storage, bypassing the store. */
  chunkCount(): Promise<number>;
  /** Overwrites a stored chunk's raw bytes, bypassing the store. */
  corruptChunk(sha: string, bytes: Uint8Array): Promise<void>;
  /** Deletes the storage. The stores it opened are closed by then. */
  cleanup(): Promise<void>;
}

const CHUNK = 64 * 1024;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

async function collect(iterable: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of iterable) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

/** Notifications may arrive asynchronously (Redis pub/sub): wait for them, but not forever. */
async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function storeContract(name: string, makeHarness: () => Promise<StoreHarness>): void {
  /** Runs `fn` against a fresh store; closes it and deletes its storage whatever happens. */
  const withStore = (fn: (store: Store, harness: StoreHarness) => Promise<void>) => async () => {
    const harness = await makeHarness();
    const opened: Store[] = [];
    const tracked: StoreHarness = {
      ...harness,
      open: async (o) => {
        const s = await harness.open(o);
        opened.push(s);
        return s;
      },
      reopen: async (o) => {
        const s = await harness.reopen(o);
        opened.push(s);
        return s;
      },
    };
    try {
      await fn(await tracked.open({ chunkSize: CHUNK }), tracked);
    } finally {
      for (const s of opened) await s.close();
      await harness.cleanup();
    }
  };

  describe(`Store contract: ${name}`, () => {
    describe('documents', () => {
      it(
        'put/get/delete with versions starting at 1 and growing by 1',
        withStore(async (store) => {
          assert.equal(await store.get('jobs/a'), undefined);
          assert.equal(await store.put('jobs/a', { n: 1 }), 1);
          assert.equal(await store.put('jobs/a', { n: 2 }), 2);
          assert.deepEqual(await store.get('jobs/a'), { key: 'jobs/a', value: { n: 2 }, version: 2 });
          assert.equal(await store.delete('jobs/a'), true);
          assert.equal(await store.delete('jobs/a'), false);
          assert.equal(await store.get('jobs/a'), undefined);
          assert.equal(await store.put('jobs/a', 'again'), 1);
        }),
      );

      it(
        'round-trips NaN, ±Infinity, binaries and nested values',
        withStore(async (store) => {
          const bytes = randomBytes(300);
          const value = {
            nan: Number.NaN,
            inf: Number.POSITIVE_INFINITY,
            ninf: Number.NEGATIVE_INFINITY,
            big: Number.MAX_SAFE_INTEGER,
            frac: -1.5e-300,
            text: 'héllo ✓',
            list: [1, null, true, { deep: ['x'] }],
            bytes,
          };
          await store.put('v', value);
          const doc = await store.get<typeof value>('v');
          assert.ok(doc);
          assert.ok(Number.isNaN(doc.value.nan));
          assert.equal(doc.value.inf, Number.POSITIVE_INFINITY);
          assert.equal(doc.value.ninf, Number.NEGATIVE_INFINITY);
          assert.equal(doc.value.big, Number.MAX_SAFE_INTEGER);
          assert.equal(doc.value.frac, -1.5e-300);
          assert.equal(doc.value.text, 'héllo ✓');
          assert.deepEqual(doc.value.list, [1, null, true, { deep: ['x'] }]);
          assert.ok(doc.value.bytes instanceof Uint8Array);
          assert.ok(Buffer.from(doc.value.bytes).equals(bytes));
          await store.put('nan', Number.NaN);
          assert.ok(Number.isNaN((await store.get('nan'))?.value));
        }),
      );

      it(
        'compare-and-set: ifVersion 0 creates, a stale version conflicts and changes nothing',
        withStore(async (store) => {
          assert.equal(await store.put('k', 'a', { ifVersion: 0 }), 1);
          await assert.rejects(store.put('k', 'b', { ifVersion: 0 }), (e: unknown) => {
            assert.ok(e instanceof ConflictError);
            assert.deepEqual(e.details, { key: 'k', expected: 0, actual: 1 });
            return true;
          });
          assert.equal(await store.put('k', 'b', { ifVersion: 1 }), 2);
          await assert.rejects(store.put('k', 'c', { ifVersion: 1 }), ConflictError);
          assert.deepEqual(await store.get('k'), { key: 'k', value: 'b', version: 2 });
          await assert.rejects(store.put('missing', 'x', { ifVersion: 3 }), (e: unknown) => {
            assert.ok(e instanceof ConflictError);
            assert.deepEqual(e.details, { key: 'missing', expected: 3, actual: 0 });
            return true;
          });
          assert.equal(await store.get('missing'), undefined);
          await assert.rejects(store.delete('k', { ifVersion: 1 }), ConflictError);
          assert.equal((await store.get('k'))?.version, 2);
          assert.equal(await store.delete('k', { ifVersion: 2 }), true);
          assert.equal(await store.get('k'), undefined);
        }),
      );

      it(
        'list: prefix, key order, paging with after/limit',
        withStore(async (store) => {
          for (const key of ['b/2', 'b/10', 'a/1', 'b/1', 'bb/1', 'b', 'c/1'])
            await store.put(key, key.toUpperCase());
          const keys = async (prefix: string, options?: { after?: string; limit?: number }) =>
            (await store.list(prefix, options)).map((d) => d.key);
          assert.deepEqual(await keys('b/'), ['b/1', 'b/10', 'b/2']);
          assert.deepEqual(await keys('b'), ['b', 'b/1', 'b/10', 'b/2', 'bb/1']);
          assert.deepEqual(await keys(''), ['a/1', 'b', 'b/1', 'b/10', 'b/2', 'bb/1', 'c/1']);
          assert.deepEqual(await keys('b/', { limit: 2 }), ['b/1', 'b/10']);
          assert.deepEqual(await keys('b/', { after: 'b/10', limit: 2 }), ['b/2']);
          assert.deepEqual(await keys('b/', { after: 'a' }), ['b/1', 'b/10', 'b/2']);
          assert.deepEqual(await keys('b/', { after: 'b/2' }), []);
          assert.deepEqual(await keys('b/', { limit: 0 }), []);
          assert.deepEqual(await keys('zz'), []);
          const [first] = await store.list('c/');
          assert.deepEqual(first, { key: 'c/1', value: 'C/1', version: 1 });
        }),
      );

      it(
        'rejects invalid keys, index names and log names with InvalidError naming them',
        withStore(async (store) => {
          const bad = ['', '/abs', 'a..b', 'sp ace', 'ü', 'x'.repeat(513), 'tab\t', 'star*'];
          for (const key of bad) {
            await assert.rejects(store.put(key, 1), (e: unknown) => {
              assert.ok(e instanceof InvalidError, `put ${JSON.stringify(key)}`);
              assert.deepEqual(e.details, { key });
              return true;
            });
            await assert.rejects(store.get(key), InvalidError);
          }
          await assert.rejects(store.indexAdd('bad name', 'm', 1), (e: unknown) => {
            assert.ok(e instanceof InvalidError);
            assert.deepEqual(e.details, { index: 'bad name' });
            return true;
          });
          await assert.rejects(store.append('../log', 1), (e: unknown) => {
            assert.ok(e instanceof InvalidError);
            assert.deepEqual(e.details, { log: '../log' });
            return true;
          });
          await assert.rejects(
            store.commit([
              { op: 'put', key: 'ok', value: 1 },
              { op: 'put', key: '', value: 2 },
            ]),
            InvalidError,
          );
          assert.equal(await store.get('ok'), undefined);
          await assert.rejects(store.indexAdd('q', 'm', Number.NaN), InvalidError);
          const longest = `a${'.b'.repeat(255)}c`;
          assert.equal(longest.length, 512);
          assert.equal(await store.put(longest, 1), 1);
          assert.equal(await store.put('A-z_0.9:@/x', 1), 1);
        }),
      );

      it(
        'updateDoc retries lost races until every update lands',
        withStore(async (store) => {
          await Promise.all(
            Array.from({ length: 5 }, () => updateDoc<number>(store, 'counter', (n) => (n ?? 0) + 1)),
          );
          assert.deepEqual(await store.get('counter'), { key: 'counter', value: 5, version: 5 });
        }),
      );
    });

    describe('indexes', () => {
      it(
        'add, score, count, move and remove members',
        withStore(async (store) => {
          await store.indexAdd('queue', 'a', 5);
          await store.indexAdd('queue', 'b', 1);
          await store.indexAdd('queue.other', 'z', 0);
          assert.equal(await store.indexCount('queue'), 2);
          assert.equal(await store.indexScore('queue', 'a'), 5);
          assert.equal(await store.indexScore('queue', 'nope'), undefined);
          await store.indexAdd('queue', 'a', -2.5);
          assert.equal(await store.indexCount('queue'), 2);
          assert.deepEqual(await store.indexRange('queue'), [
            { member: 'a', score: -2.5 },
            { member: 'b', score: 1 },
          ]);
          assert.equal(await store.indexRemove('queue', 'a'), true);
          assert.equal(await store.indexRemove('queue', 'a'), false);
          assert.deepEqual(await store.indexRange('queue'), [{ member: 'b', score: 1 }]);
          assert.equal(await store.indexCount('queue'), 1);
          assert.equal(await store.indexCount('queue.other'), 1);
          assert.equal(await store.indexCount('empty'), 0);
          assert.deepEqual(await store.indexRange('empty'), []);
        }),
      );

      it(
        'ranges: inclusive bounds, ties by member, reverse, offset and limit, infinities',
        withStore(async (store) => {
          const entries: [string, number][] = [
            ['m2', 2],
            ['b', 2],
            ['a', 2],
            ['low', -1e9],
            ['neg', -0.5],
            ['top', 10],
            ['inf', Number.POSITIVE_INFINITY],
            ['ninf', Number.NEGATIVE_INFINITY],
            ['z0', 0],
          ];
          for (const [member, score] of entries) await store.indexAdd('pq', member, score);
          const members = async (options: Parameters<Store['indexRange']>[1]) =>
            (await store.indexRange('pq', options)).map((e) => e.member);
          assert.deepEqual(await members({}), ['ninf', 'low', 'neg', 'z0', 'a', 'b', 'm2', 'top', 'inf']);
          assert.deepEqual(await members({ reverse: true }), [
            'inf',
            'top',
            'm2',
            'b',
            'a',
            'z0',
            'neg',
            'low',
            'ninf',
          ]);
          assert.deepEqual(await members({ min: 0, max: 2 }), ['z0', 'a', 'b', 'm2']);
          assert.deepEqual(await members({ min: 2, max: 2, reverse: true }), ['m2', 'b', 'a']);
          assert.deepEqual(await members({ min: 2, offset: 1, limit: 2 }), ['b', 'm2']);
          assert.deepEqual(await members({ max: 2, reverse: true, offset: 2, limit: 3 }), ['a', 'z0', 'neg']);
          assert.deepEqual(await members({ offset: 8 }), ['inf']);
          assert.deepEqual(await members({ limit: 0 }), []);
          assert.deepEqual(await members({ min: 3, max: 2 }), []);
          assert.deepEqual(await members({ min: 10.5 }), ['inf']);
          assert.deepEqual(await store.indexRange('pq', { min: Number.POSITIVE_INFINITY }), [
            { member: 'inf', score: Number.POSITIVE_INFINITY },
          ]);
          assert.deepEqual(await store.indexRange('pq', { max: -1e8 }), [
            { member: 'ninf', score: Number.NEGATIVE_INFINITY },
            { member: 'low', score: -1e9 },
          ]);
          assert.equal(await store.indexScore('pq', 'neg'), -0.5);
        }),
      );
    });

    describe('logs', () => {
      it(
        'append, read after a cursor with a limit, lastCursor',
        withStore(async (store) => {
          assert.equal(await store.lastCursor('events'), 0);
          assert.deepEqual(await store.read('events'), []);
          assert.equal(await store.append('events', { n: 1 }), 1);
          assert.equal(await store.append('events', { n: 2 }), 2);
          assert.deepEqual(await store.appendMany('events', [{ n: 3 }, { n: 4 }, { n: 5 }]), [3, 4, 5]);
          assert.deepEqual(await store.appendMany('events', []), []);
          await store.append('events.other', 'x');
          assert.equal(await store.lastCursor('events'), 5);
          assert.equal(await store.lastCursor('events.other'), 1);
          assert.deepEqual(
            (await store.read('events')).map((e) => e.cursor),
            [1, 2, 3, 4, 5],
          );
          assert.deepEqual(await store.read('events', { after: 2, limit: 2 }), [
            { cursor: 3, value: { n: 3 } },
            { cursor: 4, value: { n: 4 } },
          ]);
          assert.deepEqual(await store.read('events', { after: 5 }), []);
          assert.deepEqual(await store.read('events', { limit: 1 }), [{ cursor: 1, value: { n: 1 } }]);
          assert.deepEqual(await store.read('events', { after: 4, limit: 0 }), []);
          assert.deepEqual(await store.read('events.other'), [{ cursor: 1, value: 'x' }]);
        }),
      );
    });

    describe('transactions', () => {
      it(
        'applies every op atomically and reports versions and cursors',
        withStore(async (store) => {
          await store.put('doc/a', 'old');
          await store.put('doc/gone', 'x');
          await store.indexAdd('idx', 'drop', 1);
          const result = await store.commit([
            { op: 'put', key: 'doc/a', value: 'new', ifVersion: 1 },
            { op: 'put', key: 'doc/b', value: 'b1', ifVersion: 0 },
            { op: 'put', key: 'doc/b', value: 'b2' },
            { op: 'delete', key: 'doc/gone' },
            { op: 'indexAdd', index: 'idx', member: 'doc/a', score: 3 },
            { op: 'indexRemove', index: 'idx', member: 'drop' },
            { op: 'append', log: 'log', value: 1 },
            { op: 'append', log: 'log', value: 2 },
            { op: 'append', log: 'log2', value: 3 },
          ]);
          assert.deepEqual(result, {
            versions: { 'doc/a': 2, 'doc/b': 2, 'doc/gone': 0 },
            cursors: { log: [1, 2], log2: [1] },
          });
          assert.deepEqual(await store.get('doc/b'), { key: 'doc/b', value: 'b2', version: 2 });
          assert.equal(await store.get('doc/gone'), undefined);
          assert.deepEqual(await store.indexRange('idx'), [{ member: 'doc/a', score: 3 }]);
          assert.deepEqual(await store.commit([]), { versions: {}, cursors: {} });
        }),
      );

      it(
        'a failing precondition half-way leaves nothing written',
        withStore(async (store) => {
          await store.put('guard', 'g');
          await store.put('a', 'before');
          await store.indexAdd('idx', 'keep', 1);
          await store.append('log', 'first');
          const ops: TxOp[] = [
            { op: 'put', key: 'a', value: 'after' },
            { op: 'append', log: 'log', value: 'second' },
            { op: 'indexAdd', index: 'idx', member: 'new', score: 2 },
            { op: 'indexRemove', index: 'idx', member: 'keep' },
            { op: 'delete', key: 'guard', ifVersion: 7 },
            { op: 'put', key: 'never', value: 1 },
          ];
          await assert.rejects(store.commit(ops), (e: unknown) => {
            assert.ok(e instanceof ConflictError);
            assert.deepEqual(e.details, { key: 'guard', expected: 7, actual: 1 });
            return true;
          });
          assert.deepEqual(await store.get('a'), { key: 'a', value: 'before', version: 1 });
          assert.deepEqual(await store.get('guard'), { key: 'guard', value: 'g', version: 1 });
          assert.equal(await store.get('never'), undefined);
          assert.deepEqual(await store.indexRange('idx'), [{ member: 'keep', score: 1 }]);
          assert.equal(await store.lastCursor('log'), 1);
          assert.deepEqual(await store.read('log'), [{ cursor: 1, value: 'first' }]);
          // A precondition that depends on an earlier op of the same transaction sees that op.
          await assert.rejects(
            store.commit([
              { op: 'put', key: 'a', value: 'x' },
              { op: 'put', key: 'a', value: 'y', ifVersion: 1 },
            ]),
            ConflictError,
          );
          assert.equal((await store.get('a'))?.value, 'before');
          // A cursor handed out by a rolled-back transaction is not skipped.
          assert.equal(await store.append('log', 'second'), 2);
        }),
      );
    });

    describe('blobs', () => {
      it(
        'multi-chunk blob of odd size: manifest, whole and ranged reads, visit offsets',
        withStore(async (store) => {
          const bytes = randomBytes(3 * CHUNK + 12345);
          const info = await store.putBlob(bytes);
          assert.equal(info.digest, sha256(bytes));
          assert.equal(info.size, bytes.length);
          assert.equal(info.chunkSize, CHUNK);
          assert.equal(info.chunks.length, 4);
          assert.equal(info.chunks[3], sha256(bytes.subarray(3 * CHUNK)));
          assert.deepEqual(await store.statBlob(info.digest), info);
          assert.ok((await collect(store.readBlob(info.digest))).equals(bytes));
          assert.ok((await collect(store.readBlob(info.digest, { verify: false }))).equals(bytes));
          const ranges: [number, number][] = [
            [0, 1],
            [CHUNK - 10, CHUNK + 10],
            [100, 3 * CHUNK + 5],
            [3 * CHUNK + 12344, 3 * CHUNK + 12345],
            [5, 5],
            [2 * CHUNK, bytes.length + 1000],
          ];
          for (const [start, end] of ranges) {
            const got = await collect(store.readBlob(info.digest, { start, end }));
            assert.ok(got.equals(bytes.subarray(start, end)), `range [${start}, ${end})`);
          }
          await assert.rejects(collect(store.readBlob(info.digest, { start: 10, end: 5 })), InvalidError);
          const copy = Buffer.alloc(bytes.length);
          const offsets: number[] = [];
          await store.visitBlob(info.digest, (chunk, offset) => {
            offsets.push(offset);
            copy.set(chunk, offset);
          });
          assert.deepEqual(offsets, [0, CHUNK, 2 * CHUNK, 3 * CHUNK]);
          assert.ok(copy.equals(bytes));
          const part: Buffer[] = [];
          const partOffsets: number[] = [];
          await store.visitBlob(
            info.digest,
            (chunk, offset) => {
              partOffsets.push(offset);
              part.push(Buffer.from(chunk));
            },
            { start: CHUNK + 7, end: 2 * CHUNK + 9, verify: false },
          );
          assert.deepEqual(partOffsets, [CHUNK + 7, 2 * CHUNK]);
          assert.ok(Buffer.concat(part).equals(bytes.subarray(CHUNK + 7, 2 * CHUNK + 9)));
        }),
      );

      it(
        'readBlob yields buffers the caller may keep across later reads',
        withStore(async (store) => {
          const one = randomBytes(2 * CHUNK + 1);
          const two = randomBytes(2 * CHUNK + 1);
          const a = await store.putBlob(one);
          const b = await store.putBlob(two);
          const kept: Uint8Array[] = [];
          for await (const chunk of store.readBlob(a.digest)) {
            kept.push(chunk);
            await collect(store.readBlob(b.digest));
          }
          assert.ok(Buffer.concat(kept).equals(one));
        }),
      );

      it(
        'streaming writer: any write sizes, same digest as putBlob, identical blobs share storage',
        withStore(async (store, harness) => {
          const bytes = randomBytes(2 * CHUNK + 777);
          const writer = store.blobWriter();
          for (let at = 0; at < bytes.length; ) {
            const n = Math.min(1 + ((at * 7919) % 50000), bytes.length - at);
            await writer.write(bytes.subarray(at, at + n));
            at += n;
          }
          const info = await writer.commit();
          assert.equal(info.digest, sha256(bytes));
          assert.equal(await harness.chunkCount(), 3);
          await assert.rejects(writer.write(Buffer.of(1)), InvalidError);
          const again = await store.putBlob(bytes);
          assert.deepEqual(again, info);
          assert.equal(await harness.chunkCount(), 3);
          const empty = await store.putBlob(new Uint8Array(0));
          assert.equal(empty.digest, sha256(new Uint8Array(0)));
          assert.deepEqual([empty.size, empty.chunks], [0, []]);
          assert.equal((await collect(store.readBlob(empty.digest))).length, 0);
        }),
      );

      it(
        'deleteBlob frees only chunks no other blob uses',
        withStore(async (store, harness) => {
          const shared = randomBytes(CHUNK);
          const a = await store.putBlob(Buffer.concat([shared, randomBytes(100)]));
          const b = await store.putBlob(Buffer.concat([shared, randomBytes(200)]));
          assert.equal(a.chunks[0], b.chunks[0]);
          assert.equal(await harness.chunkCount(), 3);
          assert.equal(await store.deleteBlob(a.digest), true);
          assert.equal(await store.deleteBlob(a.digest), false);
          assert.equal(await store.statBlob(a.digest), undefined);
          assert.equal(await harness.chunkCount(), 2);
          assert.equal((await collect(store.readBlob(b.digest))).length, CHUNK + 200);
          assert.equal(await store.deleteBlob(b.digest), true);
          assert.equal(await harness.chunkCount(), 0);
          await assert.rejects(collect(store.readBlob(a.digest)), NotFoundError);
          await assert.rejects(
            store.visitBlob(a.digest, () => undefined),
            NotFoundError,
          );
          assert.equal(await store.statBlob('0'.repeat(64)), undefined);
          await assert.rejects(store.statBlob('not-a-digest'), InvalidError);
        }),
      );

      it(
        'aborted and failed writers leave no chunk',
        withStore(async (store, harness) => {
          const writer = store.blobWriter();
          await writer.write(randomBytes(2 * CHUNK + 5));
          assert.equal(await harness.chunkCount(), 2);
          await writer.abort();
          await writer.abort();
          assert.equal(await harness.chunkCount(), 0);
          await assert.rejects(writer.commit(), InvalidError);
          // Aborting a writer whose chunks another blob also uses must not free them.
          const kept = randomBytes(CHUNK);
          const info = await store.putBlob(kept);
          const dup = store.blobWriter();
          await dup.write(kept);
          await dup.write(randomBytes(CHUNK));
          await dup.abort();
          assert.equal(await harness.chunkCount(), 1);
          assert.ok((await collect(store.readBlob(info.digest))).equals(kept));
        }),
      );

      it(
        'a writer interrupted by a crash leaves no chunk once the store reopens',
        withStore(async (store, harness) => {
          const kept = await store.putBlob(randomBytes(CHUNK + 1));
          const writer = store.blobWriter();
          await writer.write(randomBytes(3 * CHUNK + 10));
          assert.equal(await harness.chunkCount(), 5);
          await store.close(); // never committed nor aborted: as if the process died
          const reopened = await harness.reopen({ chunkSize: CHUNK });
          assert.equal(await harness.chunkCount(), 2);
          assert.equal((await collect(reopened.readBlob(kept.digest))).length, CHUNK + 1);
        }),
      );

      it(
        'a tampered chunk is detected on read with CorruptError naming blob and chunk',
        withStore(async (store, harness) => {
          const bytes = randomBytes(3 * CHUNK);
          const info = await store.putBlob(bytes);
          const tampered = Buffer.from(bytes.subarray(CHUNK, 2 * CHUNK));
          tampered[100] = tampered[100]! ^ 0xff;
          await harness.corruptChunk(info.chunks[1]!, tampered);
          const isCorrupt = (e: unknown) => {
            assert.ok(e instanceof CorruptError);
            assert.equal(e.details.digest, info.digest);
            assert.equal(e.details.chunk, 1);
            return true;
          };
          await assert.rejects(collect(store.readBlob(info.digest)), isCorrupt);
          await assert.rejects(
            store.visitBlob(info.digest, () => undefined),
            isCorrupt,
          );
          // Chunk 0 alone is fine; without verification the bad bytes come through as stored.
          assert.ok(
            (await collect(store.readBlob(info.digest, { end: CHUNK }))).equals(bytes.subarray(0, CHUNK)),
          );
          const raw = await collect(store.readBlob(info.digest, { verify: false }));
          assert.equal(raw[CHUNK + 100], tampered[100]);
          await harness.corruptChunk(info.chunks[2]!, Buffer.alloc(10));
          await assert.rejects(
            collect(store.readBlob(info.digest, { start: 2 * CHUNK, verify: false })),
            CorruptError,
          );
        }),
      );
    });

    refCases(withStore, CHUNK);
    fenceCases(withStore, CHUNK);
    logDeleteCases(withStore);

    describe('notifications', () => {
      it(
        'delivers changes under a prefix in commit order, until unsubscribed',
        withStore(async (store) => {
          const seen: Change[] = [];
          const all: Change[] = [];
          const unsubscribe = await store.subscribe('jobs/', (c) => seen.push(c));
          await store.subscribe('', (c) => all.push(c));
          await store.put('jobs/a', 1);
          await store.put('other', 1);
          await store.append('jobs/log', 'x');
          await store.commit([
            { op: 'put', key: 'jobs/a', value: 2 },
            { op: 'put', key: 'jobs/b', value: 1 },
            { op: 'indexAdd', index: 'jobs/idx', member: 'm', score: 1 },
            { op: 'append', log: 'jobs/log', value: 'y' },
          ]);
          await store.delete('jobs/a');
          await store.delete('jobs/none');
          const expected: Change[] = [
            { kind: 'put', key: 'jobs/a', version: 1 },
            { kind: 'append', log: 'jobs/log', cursor: 1 },
            { kind: 'put', key: 'jobs/a', version: 2 },
            { kind: 'put', key: 'jobs/b', version: 1 },
            { kind: 'append', log: 'jobs/log', cursor: 2 },
            { kind: 'delete', key: 'jobs/a' },
          ];
          await waitFor(() => seen.length >= expected.length, 'job changes');
          assert.deepEqual(seen, expected);
          await waitFor(() => all.length >= expected.length + 1, 'all changes');
          await unsubscribe();
          await store.put('jobs/c', 1);
          await store.put('marker', 1);
          await waitFor(() => all.some((c) => c.kind === 'put' && c.key === 'marker'), 'marker');
          assert.equal(seen.length, expected.length);
          assert.deepEqual(all[1], { kind: 'put', key: 'other', version: 1 });
        }),
      );

      it(
        'many concurrent writers: notifications match commit order',
        withStore(async (store) => {
          const seen: number[] = [];
          await store.subscribe('seq', (c) => {
            if (c.kind === 'append') seen.push(c.cursor);
          });
          await Promise.all(Array.from({ length: 50 }, (_, i) => store.append('seq', i)));
          await waitFor(() => seen.length >= 50, '50 appends');
          assert.deepEqual(
            seen,
            Array.from({ length: 50 }, (_, i) => i + 1),
          );
        }),
      );
    });

    describe('lifecycle', () => {
      it(
        'everything survives close and reopen',
        withStore(async (store, harness) => {
          await store.put('doc', { n: Number.NaN }, { ifVersion: 0 });
          await store.put('doc', { n: 2 });
          await store.indexAdd('idx', 'm', 4);
          await store.appendMany('log', ['a', 'b']);
          const bytes = randomBytes(2 * CHUNK + 3);
          const info = await store.putBlob(bytes);
          await store.close();
          const again = await harness.reopen({ chunkSize: CHUNK });
          assert.deepEqual(await again.get('doc'), { key: 'doc', value: { n: 2 }, version: 2 });
          assert.deepEqual(await again.indexRange('idx'), [{ member: 'm', score: 4 }]);
          assert.deepEqual(await again.read('log'), [
            { cursor: 1, value: 'a' },
            { cursor: 2, value: 'b' },
          ]);
          assert.equal(await again.append('log', 'c'), 3);
          assert.deepEqual(await again.statBlob(info.digest), info);
          assert.ok((await collect(again.readBlob(info.digest))).equals(bytes));
        }),
      );

      it(
        'close waits for pending writes, is idempotent, and later calls fail as unavailable',
        withStore(async (store) => {
          const writes = Array.from({ length: 20 }, (_, i) => store.put(`k${i}`, i));
          const closed = store.close();
          await Promise.all(writes);
          await closed;
          await store.close();
          await assert.rejects(store.get('k1'), UnavailableError);
          await assert.rejects(store.put('k1', 1), UnavailableError);
          assert.throws(() => store.blobWriter(), UnavailableError);
        }),
      );
    });
  });
}
