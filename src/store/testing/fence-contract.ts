/** The Store contract's fencing cases: the `check` precondition op, and a fenced store refused once its fence moves. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConflictError } from '../../errors/index.js';
import type { Store } from '../types.js';

/** The part of the contract's harness these cases use (the harness type lives in contract.ts, which imports us). */
interface Harness {
  reopen(options: { chunkSize: number }): Promise<Store>;
}

type WithStore = (fn: (store: Store, harness: Harness) => Promise<void>) => () => Promise<void>;

export function fenceCases(withStore: WithStore, chunk: number): void {
  describe('fencing', () => {
    it(
      'a check op is a precondition only: nothing written when the version differs',
      withStore(async (store) => {
        await store.put('fence', 'f');
        const ok = await store.commit([
          { op: 'check', key: 'fence', version: 1 },
          { op: 'check', key: 'absent', version: 0 },
          { op: 'put', key: 'a', value: 1 },
        ]);
        assert.deepEqual(ok, { versions: { a: 1 }, cursors: {} });
        await assert.rejects(
          store.commit([
            { op: 'put', key: 'a', value: 2 },
            { op: 'append', log: 'log', value: 'x' },
            { op: 'check', key: 'fence', version: 2 },
          ]),
          (e: unknown) => {
            assert.ok(e instanceof ConflictError);
            assert.deepEqual(e.details, { key: 'fence', expected: 2, actual: 1 });
            return true;
          },
        );
        assert.deepEqual(await store.get('a'), { key: 'a', value: 1, version: 1 });
        assert.equal(await store.lastCursor('log'), 0);
        assert.deepEqual(await store.get('fence'), { key: 'fence', value: 'f', version: 1 });
        // A check sees the earlier ops of its own transaction.
        await store.commit([
          { op: 'put', key: 'fence', value: 'g' },
          { op: 'check', key: 'fence', version: 2 },
        ]);
      }),
    );

    it(
      "a fenced store's writes keep their results, and all fail once another store moves the fence",
      withStore(async (store, harness) => {
        const version = await store.put('lease/fence', 'me');
        store.setFence({ key: 'lease/fence', version });
        assert.equal(await store.put('d', 1), 1);
        assert.equal(await store.delete('d'), true);
        assert.equal(await store.delete('d'), false);
        await store.indexAdd('idx', 'm', 1);
        assert.equal(await store.indexRemove('idx', 'm'), true);
        assert.equal(await store.append('log', 'a'), 1);
        assert.deepEqual(await store.appendMany('log', ['b', 'c']), [2, 3]);
        assert.deepEqual(await store.commit([{ op: 'put', key: 'd', value: 2 }]), {
          versions: { d: 1 },
          cursors: {},
        });

        const successor = await harness.reopen({ chunkSize: chunk });
        await successor.put('lease/fence', 'successor');
        const refused = [
          store.put('d', 3),
          store.delete('d'),
          store.indexAdd('idx', 'n', 2),
          store.indexRemove('idx', 'n'),
          store.append('log', 'd'),
          store.appendMany('log', ['e']),
          store.commit([{ op: 'put', key: 'e', value: 1 }]),
        ];
        for (const write of refused) await assert.rejects(write, ConflictError);
        assert.deepEqual(await successor.get('d'), { key: 'd', value: 2, version: 1 });
        assert.equal(await successor.get('e'), undefined);
        assert.equal(await successor.indexCount('idx'), 0);
        assert.equal(await successor.lastCursor('log'), 3);
      }),
    );
  });
}
