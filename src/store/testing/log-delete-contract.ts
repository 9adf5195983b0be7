/** The Store contract's log deletion cases: entries removed one by one or as a prefix, cursors never reused. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidError } from '../../errors/index.js';
import type { Store } from '../types.js';

type WithStore = (fn: (store: Store) => Promise<void>) => () => Promise<void>;

const cursorsOf = async (store: Store, log: string, after = 0) =>
  (await store.read(log, { after })).map((e) => e.cursor);

export function logDeleteCases(withStore: WithStore): void {
  describe('log deletion', () => {
    it(
      'deleteEntries removes only those entries; readers resuming in the gap get the next survivor',
      withStore(async (store) => {
        await store.appendMany('ev', ['a', 'b', 'c', 'd', 'e']);
        await store.append('other', 'x');
        assert.equal(await store.deleteEntries('ev', [2, 4, 4, 99]), 2);
        assert.deepEqual(await store.read('ev'), [
          { cursor: 1, value: 'a' },
          { cursor: 3, value: 'c' },
          { cursor: 5, value: 'e' },
        ]);
        assert.deepEqual(await store.read('ev', { after: 1, limit: 1 }), [{ cursor: 3, value: 'c' }]);
        assert.deepEqual(await cursorsOf(store, 'ev', 3), [5]);
        assert.equal(await store.lastCursor('ev'), 5);
        assert.equal(await store.deleteEntries('ev', [2]), 0);
        assert.deepEqual(await cursorsOf(store, 'other'), [1]);
        // Deleting the last entry must not hand its cursor out again.
        assert.equal(await store.deleteEntries('ev', [5]), 1);
        assert.equal(await store.append('ev', 'f'), 6);
        assert.deepEqual(await cursorsOf(store, 'ev'), [1, 3, 6]);
      }),
    );

    it(
      'trimLog removes the entries below a cursor and keeps the numbering',
      withStore(async (store) => {
        await store.appendMany('ev', [1, 2, 3, 4, 5]);
        assert.equal(await store.trimLog('ev', 0), 0);
        assert.equal(await store.trimLog('ev', 1), 0);
        assert.equal(await store.trimLog('ev', 3), 2);
        assert.deepEqual(await cursorsOf(store, 'ev'), [3, 4, 5]);
        assert.equal(await store.trimLog('ev', 3), 0);
        await store.deleteEntries('ev', [4]);
        assert.equal(await store.trimLog('ev', 100), 2);
        assert.deepEqual(await store.read('ev'), []);
        assert.equal(await store.lastCursor('ev'), 5);
        assert.equal(await store.append('ev', 6), 6);
        assert.equal(await store.trimLog('absent', 10), 0);
      }),
    );

    it(
      'deletions commit atomically with other ops and are validated first',
      withStore(async (store) => {
        await store.appendMany('ev', ['a', 'b', 'c']);
        await store.appendMany('lines', ['x', 'y']);
        await store.put('doc', 1);
        await assert.rejects(
          store.commit([
            { op: 'deleteEntries', log: 'ev', cursors: [1] },
            { op: 'put', key: 'doc', value: 2, ifVersion: 7 },
          ]),
        );
        assert.deepEqual(await cursorsOf(store, 'ev'), [1, 2, 3]);
        const result = await store.commit([
          { op: 'deleteEntries', log: 'ev', cursors: [1, 3] },
          { op: 'trimLog', log: 'lines', before: 3 },
          { op: 'delete', key: 'doc' },
          { op: 'append', log: 'ev', value: 'd' },
        ]);
        assert.deepEqual(result.cursors, { ev: [4] });
        assert.deepEqual(await cursorsOf(store, 'ev'), [2, 4]);
        assert.deepEqual(await cursorsOf(store, 'lines'), []);
        for (const cursors of [[0], [-1], [1.5], 'x'] as unknown as number[][]) {
          await assert.rejects(store.deleteEntries('ev', cursors), InvalidError);
        }
        await assert.rejects(store.trimLog('ev', -1), InvalidError);
        await assert.rejects(store.trimLog('bad name', 1), InvalidError);
        assert.deepEqual(await cursorsOf(store, 'ev'), [2, 4]);
      }),
    );
  });
}
