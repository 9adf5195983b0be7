import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LONG_RUN_THRESHOLD_MS, longRunDemotions } from './long-run.js';

const H = 60 * 60 * 1000;

test('sessions in training past 5 h move to low-priority with a lower priority', () => {
  const now = 10 * H;
  const out = longRunDemotions(
    [
      { sessionId: 'long', pool: 'training', priority: 5, startedAt: now - 6 * H },
      { sessionId: 'short', pool: 'training', priority: 5, startedAt: now - 4 * H },
      { sessionId: 'exact', pool: 'training', priority: 5, startedAt: now - LONG_RUN_THRESHOLD_MS },
      { sessionId: 'prod', pool: 'production', priority: 5, startedAt: 0 },
    ],
    now,
  );
  assert.deepEqual(out, [
    {
      sessionId: 'long',
      fromPool: 'training',
      toPool: 'low-priority',
      fromPriority: 5,
      priority: 4,
      ranForMs: 6 * H,
    },
  ]);
});

test('threshold, pools and new priority are configurable', () => {
  const out = longRunDemotions([{ sessionId: 'a', pool: 'gpu', priority: 7, startedAt: 0 }], 2 * H, {
    thresholdMs: H,
    fromPool: 'gpu',
    toPool: 'slow',
    demotedPriority: () => 0,
  });
  assert.equal(out[0]?.toPool, 'slow');
  assert.equal(out[0]?.priority, 0);
});
