import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MetricPoint } from '../events/index.js';
import { TEST_TOKEN, type TestManager, testManager } from '../testing/manager.js';
import { bucketBounds, minMaxIndices, packPoints, unpackPoints } from './index.js';

describe('downsampling', () => {
  it('keeps every bucket’s min and max and stays within maxPoints', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const values = Array.from({ length: 100_003 }, (_, k) => Math.sin(k / 500) + rand() * 0.1);
    values[4242] = 50; // a spike
    values[77_000] = -50;
    for (const maxPoints of [2, 3, 100, 2000]) {
      const keep = minMaxIndices(values, maxPoints);
      assert.ok(keep.length <= maxPoints, `${keep.length} > ${maxPoints}`);
      assert.deepEqual(
        keep,
        [...keep].sort((a, b) => a - b),
      );
      const kept = new Set(keep);
      for (const [start, end] of bucketBounds(values.length, maxPoints)) {
        const bucket = values.slice(start, end);
        const lo = start + bucket.indexOf(Math.min(...bucket));
        const hi = start + bucket.indexOf(Math.max(...bucket));
        assert.ok(kept.has(lo) && kept.has(hi), `bucket ${start}-${end} lost its min or max`);
      }
      assert.ok(keep.includes(4242) && keep.includes(77_000));
    }
    assert.equal(minMaxIndices([1, 2, 3], 10).length, 3);
  });

  it('packs points into columns and back', () => {
    const points: MetricPoint[] = [
      ['loss', 0.5, 1, 1000],
      ['acc', Number.NaN, 1, 1001],
      ['loss', Number.POSITIVE_INFINITY, 2, 1002],
    ];
    assert.deepEqual(unpackPoints(packPoints(points)), points);
  });
});

describe('GET /api/v1/sessions/:id/metrics', () => {
  let t: TestManager;
  before(async () => {
    t = await testManager({ admission: false });
    const { store, services } = t.manager;
    // 1,000,000 points of `loss` and a few of `acc`, stored as the channel stores them.
    const ops = [];
    for (let b = 0; b < 100; b++) {
      const points: MetricPoint[] = [];
      for (let k = 0; k < 10_000; k++) {
        const step = b * 10_000 + k;
        points.push(['loss', step === 123_456 ? 99 : 1 / (1 + step), step, step]);
      }
      if (b % 10 === 0) points.push(['acc', b / 100, b, b]);
      ops.push(services.series.op('big', packPoints(points)));
    }
    await store.commit(ops);
  });
  after(() => t.close());

  const get = async (path: string) => {
    const res = await fetch(t.manager.url + path, { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('returns series by name, downsampled to maxPoints with extremes kept', async () => {
    const { status, body } = await get('/api/v1/sessions/big/metrics?maxPoints=2000');
    assert.equal(status, 200);
    const series = body.series as Record<
      string,
      { step: number[]; value: number[]; points: number; downsampled: boolean }
    >;
    assert.deepEqual(Object.keys(series), ['acc', 'loss']);
    const loss = series.loss!;
    assert.equal(loss.points, 1_000_000);
    assert.ok(loss.downsampled && loss.step.length <= 2000 && loss.step.length > 1000);
    assert.ok(loss.value.includes(99), 'the spike survives');
    assert.equal(loss.value[0], 1, 'the first bucket keeps its max');
    assert.deepEqual(series.acc!.value, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    assert.equal(series.acc!.downsampled, false);
  });

  it('filters by names and reads incrementally after a cursor', async () => {
    const { body } = await get('/api/v1/sessions/big/metrics?names=acc&maxPoints=0');
    assert.deepEqual(Object.keys(body.series as object), ['acc']);
    const later = await get(`/api/v1/sessions/big/metrics?after=${body.cursor}`);
    assert.deepEqual(later.body.series, {});
    const unknown = await get('/api/v1/sessions/nobody/metrics');
    assert.deepEqual(unknown.body, { sessionId: 'nobody', cursor: 0, series: {} });
  });

  it('latest: the newest batch with a training series, read back past usage-only batches', async () => {
    const { store, services } = t.manager;
    // A training batch, then 100 batches of the manager's usage samples (a job quiet for 100 ticks).
    const ops = [
      services.series.op(
        'quiet',
        packPoints([
          ['loss', 0.5, 7, 1],
          ['acc', 0.9, 7, 1],
        ]),
      ),
    ];
    for (let k = 0; k < 100; k++)
      ops.push(services.series.op('quiet', packPoints([['sys/cpu', k, k, 2 + k]])));
    await store.commit(ops);
    const newest = await get('/api/v1/sessions/quiet/metrics?latest=true');
    const series = newest.body.series as Record<string, { step: number[]; value: number[] }>;
    assert.deepEqual(Object.keys(series), ['acc', 'loss']);
    assert.deepEqual(series.loss!.value, [0.5]);
    assert.equal(newest.body.cursor, 101, "the log's end, to read on from");
    const usage = await get('/api/v1/sessions/quiet/metrics?latest=true&names=sys/cpu');
    assert.deepEqual((usage.body.series as Record<string, { value: number[] }>)['sys/cpu']!.value, [99]);
    const none = await get('/api/v1/sessions/quiet/metrics?latest=true&after=1');
    assert.deepEqual(none.body.series, {}, 'nothing newer than the cursor holds a training point');
    const big = await get('/api/v1/sessions/big/metrics?latest=true&maxPoints=0');
    assert.deepEqual(Object.keys(big.body.series as object), ['loss'], 'the newest batch of a long run');
  });

  it('rejects bad parameters', async () => {
    for (const q of ['maxPoints=1', 'maxPoints=-3', 'after=x']) {
      const { status, body } = await get(`/api/v1/sessions/big/metrics?${q}`);
      assert.equal(status, 400, q);
      assert.equal((body.error as { code: string }).code, 'INVALID');
    }
    assert.equal((await get('/api/v1/sessions/bad%20id/metrics')).status, 400);
  });
});
