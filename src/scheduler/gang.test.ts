import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { auditPlacements } from './audit.js';
import { Scheduler } from './scheduler.js';
import { demand, node } from './testing/builders.js';

const gang = (
  id: string,
  replicas: number,
  cpus = 1,
  extra: { submittedAt?: number; priority?: number } = {},
) => demand(id, { cpus, memoryMb: 0 }, { replicas, ...extra });

describe('gang placement', () => {
  test('every rank in one decision: packed on one node when it fits, GPUs per rank', () => {
    const s = new Scheduler([node('big', { cpus: 8, gpus: 4 }), node('small', { cpus: 2, gpus: 2 })]);
    s.enqueue(demand('g', { cpus: 2, memoryMb: 0, gpus: 1 }, { replicas: 4 }));
    const [p] = s.schedule(0);
    assert.deepEqual(
      p?.ranks,
      [0, 1, 2, 3].map((i) => ({ node: 'big', gpus: [i] })),
    );
    assert.equal(p?.node, 'big');
    assert.deepEqual(p?.gpus, [0]);
    assert.deepEqual(s.nodes().find((n) => n.name === 'big')?.free, { cpus: 0, memoryMb: 65_536, gpus: 0 });
    assert.deepEqual(s.allocationOf('g'), p);
  });

  test('spreads over nodes when no single node holds it', () => {
    const specs = [node('a', { cpus: 2 }), node('b', { cpus: 2 }), node('c', { cpus: 1 })];
    const s = new Scheduler(specs);
    s.enqueue(gang('g', 5));
    const [p] = s.schedule(0);
    assert.deepEqual(p?.ranks?.map((r) => r.node).sort(), ['a', 'a', 'b', 'b', 'c']);
    assert.deepEqual(auditPlacements(specs, s.placements()), []);
    assert.deepEqual(s.release('g'), p);
    assert.ok(s.nodes().every((n) => n.allocated.cpus === 0 && n.sessions.length === 0));
  });

  test('a gang that does not fit holds nothing, and smaller work still runs (backfill)', () => {
    const s = new Scheduler([node('a', { cpus: 2 }), node('b', { cpus: 2 })]);
    s.enqueue(demand('running', { cpus: 1, memoryMb: 0 }));
    s.schedule(0);
    s.enqueue(gang('g', 4, 1, { submittedAt: 1 }));
    s.enqueue(demand('small', { cpus: 1, memoryMb: 0 }, { submittedAt: 2 }));
    const placed = s.schedule(10).map((p) => p.sessionId);
    assert.deepEqual(placed, ['small']);
    assert.equal(s.allocationOf('g'), undefined);
    assert.ok(s.nodes().every((n) => !n.sessions.includes('g')));
    s.release('running');
    s.release('small');
    assert.deepEqual(
      s.schedule(20).map((p) => p.sessionId),
      ['g'],
    );
  });

  test('two gangs that each fit alone but not together: one runs, the other waits holding nothing, then runs', () => {
    const s = new Scheduler([node('a', { cpus: 3 })]);
    s.enqueue(gang('g1', 2));
    s.enqueue(gang('g2', 2, 1, { submittedAt: 1 }));
    assert.deepEqual(
      s.schedule(0).map((p) => p.sessionId),
      ['g1'],
    );
    assert.equal(s.nodes()[0]?.allocated.cpus, 2);
    assert.deepEqual(
      s.queued(0).map((q) => [q.sessionId, q.replicas]),
      [['g2', 2]],
    );
    s.release('g1');
    assert.deepEqual(
      s.schedule(1).map((p) => p.sessionId),
      ['g2'],
    );
  });

  test('restore is all-or-nothing per gang; losing a node loses the whole gang', () => {
    const s = new Scheduler([node('a', { cpus: 2 }), node('b', { cpus: 2 })]);
    s.enqueue(gang('g', 3, 1));
    const [p] = s.schedule(0);
    const fresh = new Scheduler([node('a', { cpus: 2 }), node('b', { cpus: 2 })]);
    assert.deepEqual(fresh.restore([p!]).restored, [p]);
    const small = new Scheduler([node('a', { cpus: 2 }), node('b', { cpus: 1 })]);
    fresh.enqueue(demand('x', { cpus: 1, memoryMb: 0 }));
    small.enqueue(demand('filler', { cpus: 1, memoryMb: 0 }));
    small.schedule(0);
    const { rejected } = small.restore([p!]);
    assert.equal(rejected.length, 1);
    assert.equal(small.allocationOf('g'), undefined);
    assert.equal(
      small.nodes().reduce((n, x) => n + x.allocated.cpus, 0),
      1,
    );
    const lost = fresh.removeNode('b');
    assert.deepEqual(lost, ['g']);
    assert.equal(fresh.nodes()[0]?.allocated.cpus, 0);
  });

  test('canEverFit counts the ranks all nodes could hold together', () => {
    const s = new Scheduler([node('a', { cpus: 4, gpus: 2 }), node('b', { cpus: 4, gpus: 1 })]);
    assert.equal(s.canEverFit({ cpus: 1, memoryMb: 0, gpus: 1 }, 'training', {}, 'local', 3).ok, true);
    const v = s.canEverFit({ cpus: 1, memoryMb: 0, gpus: 1 }, 'training', {}, 'local', 4);
    assert.equal(v.ok, false);
    assert.equal(!v.ok && v.dimension, 'replicas');
    assert.match(!v.ok ? v.reason : '', /4 ranks at once.*at most 3/);
  });
});
