import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDurationMs } from './duration.js';

describe('durations', () => {
  it('reads the documented forms', () => {
    assert.equal(parseDurationMs('90s'), 90_000);
    assert.equal(parseDurationMs('2h'), 7_200_000);
    assert.equal(parseDurationMs('1h30m'), 5_400_000);
    assert.equal(parseDurationMs('500ms'), 500);
    assert.equal(parseDurationMs('1d'), 86_400_000);
    assert.equal(parseDurationMs(' 5M '), 300_000);
    assert.equal(parseDurationMs(30), 30_000, 'a JSON number counts seconds');
  });

  it('refuses text without units, words and spaces between parts', () => {
    for (const text of ['2', '2 hours', 'hours', '2 h', '2hours', '', '1.5.2h', '-1h', 'soon'])
      assert.equal(parseDurationMs(text), undefined, text);
    assert.equal(parseDurationMs(Number.NaN), undefined);
    assert.equal(parseDurationMs(-1), undefined);
  });

  it('formats back', () => {
    assert.equal(formatDuration(5_400_000), '1h30m');
    assert.equal(formatDuration(250), '250ms');
    assert.equal(formatDuration(90_061_000), '1d1h1m1s');
  });
});
