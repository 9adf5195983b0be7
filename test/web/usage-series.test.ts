// The session page's usage card: sys/ series apart from the training metrics, grouped per chart, ranks together.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupSeries, splitUsage, USAGE_GROUPS } from '../../web/src/lib/usage-series.js';

const xy = (v: number) => ({ x: [1], y: [v] });

describe('usage series', () => {
  it('splits sys/ series from the training metrics, dropping the prefix', () => {
    const { training, usage } = splitUsage(
      new Map([
        ['loss', xy(1)],
        ['sys/cpu', xy(2)],
        ['train/sys_time', xy(3)],
        ['sys/rank1/rss_mb', xy(4)],
      ]),
    );
    assert.deepEqual([...training.keys()], ['loss', 'train/sys_time']);
    assert.deepEqual([...usage.keys()], ['cpu', 'rank1/rss_mb']);
    assert.equal(usage.get('cpu')!.y[0], 2);
  });

  it('groups every rank of a metric into its chart, in the group order', () => {
    const usage = new Map([
      ['peak_mb', xy(1)],
      ['rank0/cpu', xy(2)],
      ['rss_mb', xy(3)],
      ['rank1/cpu', xy(4)],
    ]);
    const [cpu, memory, gpu] = USAGE_GROUPS;
    assert.deepEqual([...groupSeries(usage, cpu!).keys()], ['rank0/cpu', 'rank1/cpu']);
    assert.deepEqual([...groupSeries(usage, memory!).keys()], ['rss_mb', 'peak_mb']);
    assert.equal(groupSeries(usage, gpu!).size, 0);
  });
});
