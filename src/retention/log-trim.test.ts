import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Store } from '../store/index.js';
import { openLmdbStore } from '../store/lmdb/index.js';
import { openRedisStore } from '../store/redis/index.js';
import { dropRedisPrefix, testRedisUrl } from '../testing/redis.js';
import { trimToBounds } from './log-trim.js';

const timeOf = (v: unknown) => (v as { t: number }).t;
const HOUR = 3_600_000;
const NOW = 100 * HOUR;

/** Appends `n` entries stamped `t`, returning their cursors. */
const fill = (store: Store, log: string, n: number, t: number) =>
  store.appendMany(
    log,
    Array.from({ length: n }, (_, i) => ({ t, i })),
  );
const cursorsOf = async (store: Store, log: string, after = 0) =>
  (await store.read(log, { after })).map((e) => e.cursor);

const backends: Array<[string, () => Promise<{ store: Store; cleanup: () => Promise<void> }>]> = [
  [
    'lmdb',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'swarmlab-trim-'));
      return {
        store: await openLmdbStore({ path: dir }),
        cleanup: () => rm(dir, { recursive: true, force: true }),
      };
    },
  ],
  [
    'redis',
    async () => {
      const prefix = `test-${randomUUID()}:`;
      return {
        store: await openRedisStore({ url: testRedisUrl(), prefix }),
        cleanup: () => dropRedisPrefix(prefix),
      };
    },
  ],
];

for (const [name, open] of backends) {
  describe(`log trimming to bounds (${name})`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ store, cleanup } = await open());
    });
    after(async () => {
      await store.close();
      await cleanup();
    });

    it('keeps the newest maxEntries, never renumbers, and a reader resuming inside the gap gets the next one', async () => {
      await fill(store, 'count', 25, NOW);
      assert.equal(await trimToBounds(store, 'count', { maxEntries: 10 }, timeOf, NOW, 1000), 15);
      assert.deepEqual(await cursorsOf(store, 'count'), range(16, 25));
      // A reader that had got to cursor 7 resumes there: the next surviving entry, no error.
      assert.deepEqual((await cursorsOf(store, 'count', 7))[0], 16);
      assert.equal(await trimToBounds(store, 'count', { maxEntries: 10 }, timeOf, NOW, 1000), 0);
      // New entries continue the numbering.
      assert.deepEqual(await fill(store, 'count', 1, NOW), [26]);
    });

    it('drops entries older than maxAge, oldest first, and stops at the first young one', async () => {
      await fill(store, 'age', 5, NOW - 3 * HOUR);
      await fill(store, 'age', 4, NOW - 2 * HOUR);
      await fill(store, 'age', 3, NOW - 1000);
      assert.equal(await trimToBounds(store, 'age', { maxAgeMs: 2.5 * HOUR }, timeOf, NOW, 1000), 5);
      assert.deepEqual(await cursorsOf(store, 'age'), range(6, 12));
      assert.equal(await trimToBounds(store, 'age', { maxAgeMs: HOUR }, timeOf, NOW, 1000), 4);
      assert.deepEqual(await cursorsOf(store, 'age'), range(10, 12));
    });

    it('removes at most the budget per call, so a large backlog goes over several passes', async () => {
      await fill(store, 'budget', 2500, NOW - 2 * HOUR);
      const bounds = { maxAgeMs: HOUR, maxEntries: 100 };
      assert.equal(await trimToBounds(store, 'budget', bounds, timeOf, NOW, 1200), 1200);
      assert.equal(await trimToBounds(store, 'budget', bounds, timeOf, NOW, 1200), 1200);
      assert.equal(await trimToBounds(store, 'budget', bounds, timeOf, NOW, 1200), 100);
      assert.deepEqual(await cursorsOf(store, 'budget'), []);
      assert.equal(await store.lastCursor('budget'), 2500);
    });

    it('leaves a log alone with no bounds, or when it is within them', async () => {
      await fill(store, 'within', 5, NOW);
      assert.equal(await trimToBounds(store, 'within', {}, timeOf, NOW, 1000), 0);
      assert.equal(
        await trimToBounds(store, 'within', { maxAgeMs: HOUR, maxEntries: 5 }, timeOf, NOW, 1000),
        0,
      );
      assert.equal(await trimToBounds(store, 'absent', { maxEntries: 1 }, timeOf, NOW, 1000), 0);
      assert.deepEqual(await cursorsOf(store, 'within'), range(1, 5));
    });
  });
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
