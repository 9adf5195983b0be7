/** The intake stream's contract on a many-shard version: exactly once per epoch across ranks, seeded order. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { parseFrame } from '../codec/index.js';
import { EventArchive } from '../events/index.js';
import { openLmdbStore, type Store } from '../store/index.js';
import { writeNpyHeader } from './formats/index.js';
import { DatasetService } from './service.js';

const N = 10_007;

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

describe('intake stream', () => {
  let dir: string;
  let store: Store;
  let svc: DatasetService;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'swarmlab-stream-'));
    store = await openLmdbStore({ path: join(dir, 'store') });
    // 4 KiB shards (1024 rows of int32) and 3-shard shuffle windows: ten shards, four windows.
    svc = new DatasetService({
      store,
      events: new EventArchive(store),
      logger: pino({ level: 'silent' }),
      bodyLimit: 1 << 30,
      shardBytes: 4096,
      windowBytes: 3 * 4096,
    });
    const ids = Int32Array.from({ length: N }, (_, i) => i);
    const file = Buffer.concat([writeNpyHeader('int32', [N]), Buffer.from(ids.buffer)]);
    await svc.push('ids', { format: 'npy', files: [{ name: 'ids.npy', body: once(file) }] });
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function read(rank: number, worldSize: number, shuffleSeed?: number, epoch = 0, batchSize = 100) {
    const { frames } = await svc.openStream('ids', 1, {
      batchSize,
      rank,
      worldSize,
      epoch,
      ...(shuffleSeed === undefined ? {} : { shuffleSeed }),
    });
    const ids: number[] = [];
    const sizes: number[] = [];
    let end: unknown;
    for await (const f of frames) {
      const { header, columns } = parseFrame(Buffer.concat(f));
      if (header.t === 'batch') {
        sizes.push(header.rows);
        ids.push(...(columns[0]!.data as Int32Array));
      } else end = header;
    }
    return { ids, sizes, end };
  }

  it('has ten shards', async () => {
    assert.equal((await svc.manifest('ids', 1)).shards.length, 10);
  });

  for (const worldSize of [1, 3, 4]) {
    for (const seed of [undefined, 7]) {
      it(`delivers every row exactly once per epoch with worldSize ${worldSize}, ${seed === undefined ? 'stored order' : 'shuffled'}`, async () => {
        const seen = new Uint8Array(N);
        const shares: number[][] = [];
        for (let rank = 0; rank < worldSize; rank++) {
          const { ids, sizes, end } = await read(rank, worldSize, seed);
          shares.push(ids);
          for (const id of ids) seen[id]!++;
          assert.ok(
            sizes.slice(0, -1).every((s) => s === 100),
            'only the last batch of a rank may be short',
          );
          assert.deepEqual(end, { t: 'end', batches: sizes.length, rows: ids.length });
          assert.ok(Math.abs(ids.length - N / worldSize) < 1);
        }
        assert.ok(
          seen.every((n) => n === 1),
          'some row missing or repeated',
        );
        const all = shares.flat();
        if (seed === undefined)
          assert.deepEqual(
            all,
            Array.from({ length: N }, (_, i) => i),
          );
        else
          assert.notDeepEqual(
            all.slice(0, 50),
            Array.from({ length: 50 }, (_, i) => i),
          );
      });
    }
  }

  it('repeats an order for the same seed and epoch, and changes it with either', async () => {
    const a = (await read(1, 3, 11, 0)).ids;
    assert.deepEqual((await read(1, 3, 11, 0, 37)).ids, a, 'the batch size does not change the order');
    assert.notDeepEqual((await read(1, 3, 11, 1)).ids, a);
    assert.notDeepEqual((await read(1, 3, 12, 0)).ids, a);
    const e1 = new Set<number>();
    for (let r = 0; r < 3; r++) for (const id of (await read(r, 3, 11, 1)).ids) e1.add(id);
    assert.equal(e1.size, N, 'epoch 1 is also exactly once');
  });
  /** A service over the same store that counts the shard reads it makes. */
  function countingService(cacheBytes?: number): { svc: DatasetService; reads: () => number } {
    let reads = 0;
    const counting = new Proxy(store, {
      get(target, key) {
        const value = Reflect.get(target, key, target);
        if (typeof value !== 'function') return value;
        if (key !== 'visitBlob') return value.bind(target);
        return (...args: unknown[]) => {
          reads++;
          return value.apply(target, args);
        };
      },
    });
    const svc2 = new DatasetService({
      store: counting,
      events: new EventArchive(counting),
      logger: pino({ level: 'silent' }),
      bodyLimit: 1 << 30,
      ...(cacheBytes === undefined ? {} : { cacheBytes }),
    });
    return { svc: svc2, reads: () => reads };
  }

  async function drain(service: DatasetService, shuffleSeed: number, epoch: number): Promise<number> {
    const { frames } = await service.openStream('ids', 1, {
      batchSize: 100,
      rank: 0,
      worldSize: 1,
      shuffleSeed,
      epoch,
    });
    let rows = 0;
    for await (const f of frames) {
      const { header } = parseFrame(Buffer.concat(f));
      if (header.t === 'batch') rows += header.rows;
    }
    return rows;
  }

  it('reads each shard from the store once while the version fits the shard cache', async () => {
    const { svc: cached, reads } = countingService();
    assert.equal(await drain(cached, 1, 0), N);
    assert.equal(reads(), 10);
    assert.equal(await drain(cached, 1, 1), N);
    assert.equal(await drain(cached, 2, 0), N);
    assert.equal(reads(), 10, 'later epochs and orders come from the cache');
  });

  it('reads a version bigger than the shard cache from the store every time', async () => {
    // One byte short of the version: it would hold nine of the ten shards, so a cache that took them anyway
    // would serve some of the second epoch.
    const { svc: small, reads } = countingService((await svc.manifest('ids', 1)).bytes - 1);
    assert.equal(await drain(small, 1, 0), N);
    assert.equal(await drain(small, 1, 1), N);
    assert.equal(reads(), 20);
  });
});
