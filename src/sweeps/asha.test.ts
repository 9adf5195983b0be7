// ASHA's pure parts: where the rungs are, the cutoff quantile, and one decision per trial and rung.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ashaObserve, quantile, rungsOf } from './asha.js';

describe('ASHA decisions', () => {
  it('puts rungs at minResource·eta^k below maxResource', () => {
    assert.deepEqual(rungsOf({ maxResource: 9 }), [1, 3]);
    assert.deepEqual(rungsOf({ minResource: 1, maxResource: 81, eta: 3 }), [1, 3, 9, 27]);
    assert.deepEqual(rungsOf({ minResource: 2, maxResource: 16, eta: 2 }), [2, 4, 8]);
    assert.deepEqual(rungsOf({ minResource: 5, maxResource: 5 }), []);
  });

  it("takes numpy's linearly interpolated quantile, worst values included", () => {
    assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5);
    assert.equal(quantile([10, 20, 30], 2 / 3), 23.333333333333332);
    assert.equal(
      quantile([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, 5], 0.5),
      Number.NEGATIVE_INFINITY,
    );
  });

  it('decides once per trial at the highest rung reached, against the values recorded before', () => {
    const rungs = [1, 3];
    const recorded: Record<string, number>[] = [{}, {}];
    assert.deepEqual(ashaObserve(rungs, recorded, 0, 1, 0.5, 3), { rung: 0, stop: false, cutoff: null });
    assert.equal(ashaObserve(rungs, recorded, 0, 2, 0.9, 3), undefined, 'no new rung at 2');
    assert.deepEqual(ashaObserve(rungs, recorded, 1, 1, 0.4, 3), { rung: 0, stop: true, cutoff: 0.5 });
    // A trial first seen past both rungs is judged at the higher one only; NaN counts as the worst.
    assert.deepEqual(ashaObserve(rungs, recorded, 2, 5, Number.NaN, 3), {
      rung: 1,
      stop: false,
      cutoff: null,
    });
    assert.deepEqual(recorded, [{ 0: 0.5, 1: 0.4 }, { 2: Number.NEGATIVE_INFINITY }]);
    assert.equal(ashaObserve(rungs, recorded, 1, 1, 0.99, 3), undefined, 'a rung records a trial once');
  });
});
