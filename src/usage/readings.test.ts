import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MetricPoint } from '../api/index.js';
import { UsageReadings } from './readings.js';

const session = { id: 's1', startedAt: 10_000 };
const byName = (points: MetricPoint[]) => Object.fromEntries(points.map(([n, v, s]) => [n, [v, s]]));

test('cores busy from two CPU readings; the first averaged since the session started', () => {
  const r = new UsageReadings();
  const first = r.points(session, [{ rank: 0, cpuSeconds: 1, rssMb: 50 }], undefined, 12_000);
  assert.deepEqual(byName(first.points), {
    'sys/cpu': [0.5, 2],
    'sys/rss_mb': [50, 2],
    'sys/peak_mb': [50, 2],
  });
  const next = r.points(session, [{ rank: 0, cpuSeconds: 4, rssMb: 40 }], undefined, 14_000);
  assert.deepEqual(byName(next.points), {
    'sys/cpu': [1.5, 4],
    'sys/rss_mb': [40, 4],
    'sys/peak_mb': [50, 4],
  });
  assert.deepEqual(next.use, { cpus: 1.5, memoryMb: 40, gpus: 0, gpuMemoryMb: 0 });
});

test('a drop in CPU time (a process left with its time) is no negative rate; a reported peak wins', () => {
  const r = new UsageReadings();
  r.points(session, [{ rank: 0, cpuSeconds: 5, rssMb: 10 }], undefined, 11_000);
  const p = r.points(session, [{ rank: 0, cpuSeconds: 3, rssMb: 10, peakMb: 80 }], undefined, 12_000);
  assert.deepEqual(byName(p.points)['sys/cpu'], [0, 2]);
  assert.deepEqual(byName(p.points)['sys/peak_mb'], [80, 2]);
});

test('several ranks: a series per rank, summed for the node; forgotten sessions start over', () => {
  const r = new UsageReadings();
  const ranks = [
    { rank: 0, cpuSeconds: 2, rssMb: 100 },
    { rank: 1, cpuSeconds: 4, rssMb: 200 },
  ];
  const p = r.points(session, ranks, undefined, 12_000);
  assert.deepEqual(Object.keys(byName(p.points)).sort(), [
    'sys/rank0/cpu',
    'sys/rank0/peak_mb',
    'sys/rank0/rss_mb',
    'sys/rank1/cpu',
    'sys/rank1/peak_mb',
    'sys/rank1/rss_mb',
  ]);
  assert.deepEqual(p.use, { cpus: 3, memoryMb: 300, gpus: 0, gpuMemoryMb: 0 });
  r.retain(new Set());
  const again = r.points(session, [{ rank: 0, cpuSeconds: 2, rssMb: 1 }], undefined, 14_000);
  assert.deepEqual(byName(again.points)['sys/cpu'], [0.5, 4], 'averaged since start again, not since 12 s');
});

test("a session's GPU use is that of the devices it holds", () => {
  const r = new UsageReadings();
  const gpus = [0, 1, 2].map((index) => ({
    index,
    name: 'G',
    utilizationPercent: 30 * (index + 1),
    memoryUsedMb: 1000 * (index + 1),
    memoryTotalMb: 16_000,
  }));
  const held = {
    ...session,
    placement: { sessionId: 's1', node: 'n', gpus: [0, 2], cpus: 1, memoryMb: 1, gpuMemoryFraction: 1 },
  };
  const p = r.points(held, [{ rank: 0, cpuSeconds: 0, rssMb: 1 }], gpus, 12_000);
  assert.deepEqual(byName(p.points)['sys/gpu'], [1.2, 2]);
  assert.deepEqual(byName(p.points)['sys/gpu_mem_mb'], [4000, 2]);
  const unread = r.points(held, [{ rank: 0, cpuSeconds: 0, rssMb: 1 }], undefined, 13_000);
  assert.equal(byName(unread.points)['sys/gpu'], undefined, 'no reading, no GPU point');
});
