import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConflictError, InvalidError } from '../errors/index.js';
import { auditPlacements } from './audit.js';
import { Scheduler } from './scheduler.js';
import { demand, node } from './testing/builders.js';
import type { NodeSpec, Placement } from './types.js';

const placeOne = (s: Scheduler, id: string, now = 0): Placement | undefined =>
  s.schedule(now).find((p) => p.sessionId === id);

describe('best fit', () => {
  test('smallest node that holds the request', () => {
    const s = new Scheduler([node('big', { cpus: 8 }), node('small', { cpus: 2 }), node('mid', { cpus: 4 })]);
    s.enqueue(demand('a', { cpus: 2 }));
    assert.equal(placeOne(s, 'a')?.node, 'small');
    s.enqueue(demand('b', { cpus: 3 }));
    assert.equal(placeOne(s, 'b')?.node, 'mid');
  });

  test('GPUs decide first: the node left with the fewest free GPUs wins', () => {
    const s = new Scheduler([node('g4', { gpus: 4 }), node('g2', { gpus: 2 })]);
    s.enqueue(demand('a', { gpus: 1 }));
    assert.equal(placeOne(s, 'a')?.node, 'g2');
  });

  test('cpu-only work lands on GPU-less nodes, keeping GPUs free', () => {
    const s = new Scheduler([
      node('gpu', { gpus: 2, cpus: 4 }),
      node('cpu', { cpus: 64, memoryMb: 512_000 }),
    ]);
    s.enqueue(demand('a', { cpus: 2 }));
    assert.equal(placeOne(s, 'a')?.node, 'cpu');
  });

  test('memory breaks GPU ties, cpus break memory ties', () => {
    const s = new Scheduler([
      node('m64', { gpus: 1, memoryMb: 65_536 }),
      node('m32', { gpus: 1, memoryMb: 32_768 }),
      node('m32c4', { gpus: 1, memoryMb: 32_768, cpus: 4 }),
    ]);
    s.enqueue(demand('a', { gpus: 1 }));
    assert.equal(placeOne(s, 'a')?.node, 'm32c4');
    s.enqueue(demand('b', { gpus: 1 }));
    assert.equal(placeOne(s, 'b')?.node, 'm32');
  });
});

describe('constraints', () => {
  test('pool must match when given; no pool means any', () => {
    const s = new Scheduler([
      node('prod', { pool: 'production', cpus: 64, memoryMb: 512_000 }),
      node('train', { cpus: 2 }),
    ]);
    s.enqueue(demand('p', { cpus: 1 }, { pool: 'production' }));
    s.enqueue(demand('any', { cpus: 1 }, { submittedAt: 1 }));
    s.enqueue(demand('nowhere', { cpus: 1 }, { pool: 'low-priority', submittedAt: 2 }));
    const placed = new Map(s.schedule(0).map((p) => [p.sessionId, p.node]));
    assert.equal(placed.get('p'), 'prod');
    assert.equal(placed.get('any'), 'train');
    assert.equal(placed.has('nowhere'), false);
    assert.equal(s.queueSize, 1);
  });

  test('node must carry every requested label value', () => {
    const s = new Scheduler([
      node('v100', { gpus: 1, labels: { gpu: 'v100' } }),
      node('a100', { gpus: 2, labels: { gpu: 'a100', zone: 'eu' } }),
    ]);
    s.enqueue(demand('a', { gpus: 1 }, { labels: { gpu: 'a100' } }));
    assert.equal(placeOne(s, 'a')?.node, 'a100');
    s.enqueue(demand('b', { gpus: 1 }, { labels: { gpu: 'a100', zone: 'us' } }));
    assert.deepEqual(s.schedule(0), []);
  });
});

describe('GPUs', () => {
  test('four 1-GPU sessions get distinct devices on a 4-GPU node; a fifth waits', () => {
    const s = new Scheduler([node('n', { gpus: 4, cpus: 64 })]);
    for (let i = 0; i < 5; i++) s.enqueue(demand(`s${i}`, { gpus: 1 }, { submittedAt: i }));
    const placed = s.schedule(0);
    assert.equal(placed.length, 4);
    assert.deepEqual(placed.flatMap((p) => p.gpus).sort(), [0, 1, 2, 3]);
    assert.equal(s.queued(0)[0]?.sessionId, 's4');
    s.release('s2');
    assert.deepEqual(s.schedule(1), [
      { sessionId: 's4', node: 'n', gpus: [2], cpus: 1, memoryMb: 1024, gpuMemoryFraction: 1 },
    ]);
  });

  test('a whole-GPU session never shares its GPU', () => {
    const s = new Scheduler([node('n', { gpus: 1 })]);
    s.enqueue(demand('frac', { gpus: 1, gpuMemoryFraction: 0.5 }));
    s.schedule(0);
    s.enqueue(demand('whole', { gpus: 1 }));
    s.enqueue(demand('frac2', { gpus: 1, gpuMemoryFraction: 0.5 }, { submittedAt: 1 }));
    assert.deepEqual(
      s.schedule(1).map((p) => p.sessionId),
      ['frac2'],
    );
    s.release('frac');
    s.release('frac2');
    assert.deepEqual(s.schedule(2)[0]?.gpus, [0]);
    s.enqueue(demand('frac3', { gpus: 1, gpuMemoryFraction: 0.1 }));
    assert.deepEqual(s.schedule(3), []);
  });

  test('fractional sessions share a GPU while fractions sum to ≤ 1', () => {
    const s = new Scheduler([node('n', { gpus: 1 })]);
    for (const [id, f] of [
      ['a', 0.1],
      ['b', 0.2],
      ['c', 0.7],
      ['d', 0.1],
    ] as const) {
      s.enqueue(demand(id, { gpus: 1, gpuMemoryFraction: f }, { submittedAt: id.charCodeAt(0) }));
    }
    assert.deepEqual(
      s.schedule(0).map((p) => [p.sessionId, p.gpus]),
      [
        ['a', [0]],
        ['b', [0]],
        ['c', [0]],
      ],
    );
    const gpu = s.nodes()[0]?.gpus[0];
    assert.equal(gpu?.usedFraction, 1);
    assert.deepEqual(gpu?.holders.map((h) => h.sessionId).sort(), ['a', 'b', 'c']);
    assert.equal(s.queueSize, 1);
  });

  test('fractions fill a partly used GPU before breaking into a fresh one', () => {
    const s = new Scheduler([node('n', { gpus: 2 })]);
    s.enqueue(demand('a', { gpus: 1, gpuMemoryFraction: 0.5 }));
    s.enqueue(demand('b', { gpus: 1, gpuMemoryFraction: 0.5 }, { submittedAt: 1 }));
    s.enqueue(demand('c', { gpus: 1 }, { submittedAt: 2 }));
    assert.deepEqual(
      s.schedule(0).map((p) => p.gpus),
      [[0], [0], [1]],
    );
  });
});

test('release frees resources and a queued demand then fits', () => {
  const s = new Scheduler([node('n', { cpus: 4, memoryMb: 8192 })]);
  s.enqueue(demand('a', { cpus: 3, memoryMb: 4096 }));
  s.enqueue(demand('b', { cpus: 2, memoryMb: 4096 }, { submittedAt: 1 }));
  assert.deepEqual(
    s.schedule(0).map((p) => p.sessionId),
    ['a'],
  );
  assert.equal(s.release('a')?.sessionId, 'a');
  assert.equal(s.release('a'), undefined);
  assert.equal(s.allocationOf('a'), undefined);
  assert.equal(placeOne(s, 'b', 1)?.node, 'n');
  assert.deepEqual(s.nodes()[0]?.free, { cpus: 2, memoryMb: 4096, gpus: 0 });
});

describe('backfill and reservation', () => {
  test('a big head-of-line demand does not block smaller ones', () => {
    const s = new Scheduler([node('n', { gpus: 4, cpus: 64 })], { reserveAfterMs: Number.POSITIVE_INFINITY });
    s.enqueue(demand('hold', { gpus: 1 }));
    s.schedule(0);
    s.enqueue(demand('big', { gpus: 4 }, { priority: 9, submittedAt: 1 }));
    s.enqueue(demand('small', { gpus: 1 }, { submittedAt: 2 }));
    assert.deepEqual(
      s.schedule(3).map((p) => p.sessionId),
      ['small'],
    );
  });

  test('after reserveAfterMs the big demand gets a node drained for it', () => {
    const s = new Scheduler([node('g4', { gpus: 4, cpus: 64 }), node('g2', { gpus: 2, cpus: 64 })], {
      agingMs: Number.POSITIVE_INFINITY,
      reserveAfterMs: 1000,
    });
    s.enqueue(demand('hold2', { gpus: 2 }, { priority: 1 }));
    s.enqueue(demand('hold', { gpus: 1 }));
    s.schedule(0);
    assert.equal(s.allocationOf('hold2')?.node, 'g2');
    assert.equal(s.allocationOf('hold')?.node, 'g4');
    s.enqueue(demand('big', { gpus: 4 }, { priority: 9, submittedAt: 0 }));
    assert.deepEqual(s.schedule(500), []);
    assert.deepEqual(s.reservations(), [], 'not waited long enough yet');
    s.release('hold2');
    s.enqueue(demand('small', { gpus: 1 }, { submittedAt: 600 }));
    s.enqueue(demand('small2', { gpus: 1 }, { submittedAt: 700 }));
    // Waited 1000 ms: g4, the only node big could ever fit, is reserved; small work goes to g2 only.
    const placed = s.schedule(1000);
    assert.deepEqual(s.reservations(), [{ sessionId: 'big', node: 'g4' }]);
    assert.deepEqual(
      placed.map((p) => p.node),
      ['g2', 'g2'],
    );
    s.enqueue(demand('small3', { gpus: 1 }, { submittedAt: 800 }));
    assert.deepEqual(s.schedule(1100), [], 'g4 has 3 free GPUs but is kept for big');
    assert.equal(s.queued(1100).find((q) => q.sessionId === 'big')?.reservedNode, 'g4');
    assert.equal(s.nodes().find((n) => n.name === 'g4')?.reservedFor, 'big');
    s.release('hold');
    assert.deepEqual(
      s.schedule(1200).map((p) => [p.sessionId, p.node]),
      [['big', 'g4']],
    );
    assert.deepEqual(s.reservations(), []);
  });

  test('higher-ranked demands may still use a reserved node', () => {
    const s = new Scheduler([node('n', { gpus: 2, cpus: 64 })], {
      agingMs: Number.POSITIVE_INFINITY,
      reserveAfterMs: 0,
    });
    s.enqueue(demand('hold', { gpus: 1 }));
    s.schedule(0);
    s.enqueue(demand('big', { gpus: 2 }, { priority: 1 }));
    s.schedule(0);
    assert.equal(s.reservations().length, 1);
    s.enqueue(demand('urgent', { gpus: 1 }, { priority: 5 }));
    s.enqueue(demand('later', { cpus: 1 }, { priority: 0 }));
    assert.deepEqual(
      s.schedule(1).map((p) => p.sessionId),
      ['urgent'],
    );
  });

  test('reservations per pool are capped and removing the demand frees the node', () => {
    const s = new Scheduler([node('a', { gpus: 1 }), node('b', { gpus: 1 })], { reserveAfterMs: 0 });
    s.enqueue(demand('h1', { gpus: 1 }));
    s.enqueue(demand('h2', { gpus: 1 }));
    s.schedule(0);
    s.enqueue(demand('w1', { gpus: 1 }));
    s.enqueue(demand('w2', { gpus: 1 }, { submittedAt: 1 }));
    s.schedule(2);
    assert.deepEqual(s.reservations(), [{ sessionId: 'w1', node: 'a' }]);
    s.remove('w1');
    assert.deepEqual(s.reservations(), []);
    s.schedule(3);
    assert.deepEqual(s.reservations(), [{ sessionId: 'w2', node: 'a' }]);
  });
});

describe('canEverFit', () => {
  const s = new Scheduler([
    node('t1', { gpus: 4, cpus: 32, memoryMb: 131_072 }),
    node('t2', { gpus: 0, cpus: 96, memoryMb: 262_144, labels: { disk: 'ssd' } }),
    node('p1', { pool: 'production', gpus: 8 }),
  ]);

  test('accepts what some node could hold', () => {
    assert.deepEqual(s.canEverFit({ cpus: 8, memoryMb: 4096, gpus: 4 }, 'training'), { ok: true });
    assert.deepEqual(s.canEverFit({ cpus: 1, memoryMb: 1, gpus: 8 }), { ok: true });
  });

  test('names the dimension no node can ever satisfy', () => {
    const cases: Array<[Parameters<Scheduler['canEverFit']>, string, string]> = [
      [
        [{ cpus: 1, memoryMb: 1, gpus: 8 }, 'training'],
        'gpus',
        'needs 8 GPUs, the largest node in pool training has 4',
      ],
      [
        [{ cpus: 1, memoryMb: 300_000, gpus: 0 }, 'training'],
        'memoryMb',
        'needs 300000 MB memory, the largest node in pool training has 262144 MB',
      ],
      [
        [{ cpus: 128, memoryMb: 1, gpus: 0 }, 'training'],
        'cpus',
        'needs 128 cpus, the largest node in pool training has 96',
      ],
      [
        [{ cpus: 64, memoryMb: 1, gpus: 1 }, 'training'],
        'combination',
        'no single node in pool training has 1 GPU, 1 MB memory and 64 cpus together',
      ],
      [
        [{ cpus: 1, memoryMb: 1, gpus: 0 }, 'gpu-farm'],
        'pool',
        'no node in pool gpu-farm (pools: production, training)',
      ],
      [
        [{ cpus: 1, memoryMb: 1, gpus: 1 }, 'training', { disk: 'ssd' }],
        'gpus',
        'needs 1 GPU, the largest node in pool training with the required labels has 0',
      ],
      [
        [{ cpus: 1, memoryMb: 1, gpus: 0 }, undefined, { disk: 'nvme' }],
        'labels',
        'no node in any pool has labels disk=nvme',
      ],
    ];
    for (const [args, dimension, reason] of cases)
      assert.deepEqual(s.canEverFit(...args), { ok: false, dimension, reason });
  });

  test('assertCanEverFit throws InvalidError carrying the dimension', () => {
    assert.throws(
      () => s.assertCanEverFit({ cpus: 1, memoryMb: 1, gpus: 16 }, 'production'),
      (e: unknown) =>
        e instanceof InvalidError &&
        e.details.dimension === 'gpus' &&
        e.message === 'needs 16 GPUs, the largest node in pool production has 8',
    );
  });
});

describe('restore', () => {
  const specs: NodeSpec[] = [node('n', { gpus: 4, cpus: 8, memoryMb: 16_384 })];
  const p = (sessionId: string, gpus: number[], extra: Partial<Placement> = {}): Placement => ({
    sessionId,
    node: 'n',
    gpus,
    cpus: 1,
    memoryMb: 1024,
    gpuMemoryFraction: 1,
    ...extra,
  });

  test('re-applies allocations so new demands avoid them', () => {
    const s = new Scheduler(specs);
    const r = s.restore([p('a', [1]), p('b', [3]), p('f', [0], { gpuMemoryFraction: 0.5 })]);
    assert.equal(r.rejected.length, 0);
    assert.deepEqual(s.allocationOf('b'), p('b', [3]));
    s.enqueue(demand('c', { gpus: 1 }));
    s.enqueue(demand('d', { gpus: 1, gpuMemoryFraction: 0.5 }, { submittedAt: 1 }));
    assert.deepEqual(
      s.schedule(0).map((x) => x.gpus),
      [[2], [0]],
    );
    assert.deepEqual(auditPlacements(specs, s.placements()), []);
  });

  test('rejects placements that would over-allocate or point nowhere', () => {
    const s = new Scheduler(specs);
    const r = s.restore([
      p('a', [1]),
      p('a', [2]),
      p('b', [1]),
      p('c', [9]),
      p('d', [], { node: 'gone' }),
      p('e', [], { cpus: 8 }),
      p('f', [], { memoryMb: 20_000 }),
    ]);
    assert.deepEqual(
      r.restored.map((x) => x.sessionId),
      ['a'],
    );
    assert.deepEqual(
      r.rejected.map((x) => [x.placement.sessionId, x.reason]),
      [
        ['a', 'session a is already placed'],
        ['b', 'GPU 1 on node n is already taken'],
        ['c', 'node n has no GPU 9'],
        ['d', 'node gone is not declared'],
        ['e', 'node n has 7 cpus free'],
        ['f', 'node n has 15360 MB memory free'],
      ],
    );
  });
});

describe('nodes', () => {
  test('snapshot shows capacity, allocation, free and GPU holders', () => {
    const s = new Scheduler([node('n', { gpus: 2, cpus: 8, memoryMb: 8192 })]);
    s.enqueue(demand('a', { gpus: 1, cpus: 2.5, memoryMb: 2048 }));
    s.enqueue(demand('b', { gpus: 1, gpuMemoryFraction: 0.25 }, { submittedAt: 1 }));
    s.schedule(0);
    const [snap] = s.nodes();
    assert.deepEqual(snap?.capacity, { cpus: 8, memoryMb: 8192, gpus: 2 });
    assert.deepEqual(snap?.allocated, { cpus: 3.5, memoryMb: 3072, gpus: 1.25 });
    assert.deepEqual(snap?.free, { cpus: 4.5, memoryMb: 5120, gpus: 0 });
    assert.deepEqual(
      snap?.gpus.map((g) => [g.index, g.usedFraction, g.holders]),
      [
        [0, 1, [{ sessionId: 'a', fraction: 1 }]],
        [1, 0.25, [{ sessionId: 'b', fraction: 0.25 }]],
      ],
    );
  });

  test('addNode validates and refuses duplicates; removeNode reports lost sessions', () => {
    const s = new Scheduler([node('n')]);
    assert.throws(() => s.addNode(node('n')), ConflictError);
    const bad = node('x', { gpus: 1 });
    bad.capacity.gpus[0]!.memoryMb = -1;
    assert.throws(
      () => s.addNode(bad),
      (e: unknown) => e instanceof InvalidError && e.details.field === 'capacity.gpus[0].memoryMb',
    );
    s.enqueue(demand('a'));
    s.schedule(0);
    assert.deepEqual(s.removeNode('n'), ['a']);
    assert.equal(s.allocationOf('a'), undefined);
    assert.deepEqual(s.nodes(), []);
  });
});
