/**
 * The fault run's short variant (the full one is `npm run bench:faults`): kill -9 of the manager three times on
 * LMDB and twice on Redis, each kill landing in an upload, a generation save, a promotion under serving load and
 * sessions at once; nothing acknowledged lost, nothing partial, no double run, no orphan.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runFaults, SCENARIOS, type Tally } from '../src/testing/faults/index.js';

function assertClean(tallies: Tally[], iterations: number): void {
  assert.deepEqual(
    tallies.flatMap((t) => t.violations),
    [],
  );
  for (const t of tallies) {
    assert.equal(t.iterations, iterations, t.scenario);
    assert.ok(t.acknowledged > 0, `${t.scenario}: some operation was acknowledged before a kill`);
  }
}

describe('kill -9 of the manager mid-operation', () => {
  it('on LMDB: 3 kills', async () => {
    assertClean(await runFaults({ scenarios: SCENARIOS, iterations: 3, seed: 42, store: 'lmdb' }), 3);
  });

  it('on Redis: 2 kills', async () => {
    assertClean(await runFaults({ scenarios: SCENARIOS, iterations: 2, seed: 42, store: 'redis' }), 2);
  });
});
