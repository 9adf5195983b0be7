import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConflictError, InvalidError } from '../errors/index.js';
import { Scheduler } from './scheduler.js';
import { demand, node } from './testing/builders.js';

const order = (s: Scheduler, now: number) => s.queued(now).map((q) => q.sessionId);

test('higher priority first', () => {
  const s = new Scheduler([node('n')], { agingMs: Number.POSITIVE_INFINITY });
  s.enqueue(demand('low', {}, { priority: 1, submittedAt: 0 }));
  s.enqueue(demand('high', {}, { priority: 9, submittedAt: 5 }));
  s.enqueue(demand('mid', {}, { priority: 5, submittedAt: 1 }));
  assert.deepEqual(order(s, 10), ['high', 'mid', 'low']);
});

test('FIFO within a priority, then session id', () => {
  const s = new Scheduler([node('n')], { agingMs: Number.POSITIVE_INFINITY });
  s.enqueue(demand('c', {}, { submittedAt: 20 }));
  s.enqueue(demand('b', {}, { submittedAt: 10 }));
  s.enqueue(demand('a', {}, { submittedAt: 20 }));
  assert.deepEqual(order(s, 30), ['b', 'a', 'c']);
});

test('placement follows queue order when only one fits', () => {
  const s = new Scheduler([node('n', { cpus: 1 })], { agingMs: Number.POSITIVE_INFINITY });
  s.enqueue(demand('first-low', {}, { priority: 0, submittedAt: 0 }));
  s.enqueue(demand('late-high', {}, { priority: 3, submittedAt: 50 }));
  assert.deepEqual(
    s.schedule(100).map((p) => p.sessionId),
    ['late-high'],
  );
});

test('aging adds one point per agingMs waited', () => {
  const s = new Scheduler([node('n')], { agingMs: 1000 });
  s.enqueue(demand('old', {}, { priority: 0, submittedAt: 0 }));
  s.enqueue(demand('new', {}, { priority: 3, submittedAt: 2500 }));
  assert.deepEqual(order(s, 2500), ['new', 'old']);
  // At 3000 both stand at 3 (old 0 + 3, new 3 + 0); FIFO puts old first.
  assert.deepEqual(
    s.queued(3000).map((q) => [q.sessionId, q.effectivePriority]),
    [
      ['old', 3],
      ['new', 3],
    ],
  );
});

/** One slot, a steady stream of priority-10 work, and a priority-0 demand that must not wait forever. */
function starvationRun(agingMs: number): number | undefined {
  const s = new Scheduler([node('n', { cpus: 1 })], { agingMs, reserveAfterMs: Number.POSITIVE_INFINITY });
  s.enqueue(demand('low', {}, { priority: 0, submittedAt: 0 }));
  let running: string | undefined;
  for (let step = 0; step < 60; step++) {
    const now = step * 1000;
    if (running) s.release(running);
    s.enqueue(demand(`high-${step}`, {}, { priority: 10, submittedAt: now }));
    const [p] = s.schedule(now);
    running = p?.sessionId;
    if (running === 'low') return step;
  }
  return undefined;
}

test('aging prevents starvation of low priority (fake clock)', () => {
  assert.equal(starvationRun(Number.POSITIVE_INFINITY), undefined, 'without aging low starves');
  const step = starvationRun(1000);
  assert.ok(step !== undefined && step <= 11, `placed at step ${step}`);
});

test('enqueue rejects duplicates and bad input with the field', () => {
  const s = new Scheduler([node('n')]);
  s.enqueue(demand('a'));
  assert.throws(() => s.enqueue(demand('a')), ConflictError);
  s.schedule(0);
  assert.throws(() => s.enqueue(demand('a')), ConflictError, 'placed sessions cannot be queued again');
  assert.throws(
    () => s.enqueue(demand('b', { gpus: 1.5 })),
    (e: unknown) => e instanceof InvalidError && e.details.field === 'resources.gpus',
  );
  assert.throws(
    () => s.enqueue(demand('c', { gpus: 1, gpuMemoryFraction: 0 })),
    (e: unknown) => e instanceof InvalidError && e.details.field === 'resources.gpuMemoryFraction',
  );
  assert.throws(
    () => s.enqueue(demand('d', { cpus: 0 })),
    (e: unknown) => e instanceof InvalidError && e.details.field === 'resources.cpus',
  );
});

test('remove drops a queued demand', () => {
  const s = new Scheduler([node('n')]);
  s.enqueue(demand('a'));
  assert.equal(s.remove('a'), true);
  assert.equal(s.remove('a'), false);
  assert.deepEqual(s.schedule(0), []);
});

test('demote moves a queued demand to another pool and priority', () => {
  const s = new Scheduler([node('t', { pool: 'training' }), node('l', { pool: 'low-priority' })]);
  s.enqueue(demand('a', {}, { pool: 'training', priority: 5 }));
  const d = s.demote('a', 'low-priority', 1);
  assert.equal(d.pool, 'low-priority');
  assert.equal(d.priority, 1);
  assert.equal(s.schedule(0)[0]?.node, 'l');
});
