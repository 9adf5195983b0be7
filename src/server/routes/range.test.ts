import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRange } from './range.js';

describe('Range header', () => {
  it('reads the three single-range forms, clamped to the size', () => {
    assert.deepEqual(parseRange('bytes=0-0', 10), { start: 0, end: 1 });
    assert.deepEqual(parseRange('bytes=4-', 10), { start: 4, end: 10 });
    assert.deepEqual(parseRange('bytes=4-99', 10), { start: 4, end: 10 });
    assert.deepEqual(parseRange('bytes=-3', 10), { start: 7, end: 10 });
    assert.deepEqual(parseRange('bytes=-30', 10), { start: 0, end: 10 });
  });

  it('is unsatisfiable past the end or for an empty suffix', () => {
    assert.equal(parseRange('bytes=10-', 10), 'unsatisfiable');
    assert.equal(parseRange('bytes=12-20', 10), 'unsatisfiable');
    assert.equal(parseRange('bytes=-0', 10), 'unsatisfiable');
  });

  it('ignores what it does not handle, so the whole body is sent', () => {
    for (const header of [undefined, 'bytes=5-2', 'bytes=0-1,4-5', 'items=0-1', 'bytes=-', 'bytes=a-b']) {
      assert.equal(parseRange(header, 10), undefined, String(header));
    }
  });
});
