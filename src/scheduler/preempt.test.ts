import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { auditPlacements } from './audit.js';
import { Scheduler } from './scheduler.js';
import { demand, node } from './testing/builders.js';

/** Places `ids` (in order) with the given resources and priority; returns the scheduler. */
function running(s: Scheduler, ids: string[], resources: Parameters<typeof demand>[1], priority = 0): void {
  for (const id of ids) s.enqueue(demand(id, resources, { priority }));
  const placed = s.schedule(0).map((p) => p.sessionId);
  assert.deepEqual(placed.sort(), [...ids].sort());
}

const victims = (ids: string[], priority = -1) => ids.map((sessionId) => ({ sessionId, priority }));

describe('preemptions', () => {
  test('frees the fewest lower-priority sessions on one node, and changes nothing', () => {
    const specs = [node('a', { cpus: 8, memoryMb: 8192 }), node('b', { cpus: 8, memoryMb: 8192 })];
    const s = new Scheduler(specs);
    running(s, ['a1', 'a2'], { cpus: 1, memoryMb: 4096 });
    running(s, ['b1'], { cpus: 1, memoryMb: 6144 });
    s.enqueue(demand('big', { cpus: 1, memoryMb: 6144 }, { priority: 5 }));
    assert.equal(s.schedule(0).length, 0);
    const before = JSON.stringify(s.nodes());
    const p = s.preemptions(0, victims(['a1', 'a2', 'b1']));
    // b1 alone frees enough on b; a needs one of two (4096 + 4096 free → 6144 needs one freed).
    assert.equal(p.length, 1);
    assert.equal(p[0]!.sessionId, 'b1');
    assert.equal(p[0]!.node, 'b');
    assert.equal(p[0]!.for, 'big');
    assert.equal(p[0]!.forPriority, 5);
    assert.equal(JSON.stringify(s.nodes()), before, 'the what-if leaves the table as it was');
    assert.deepEqual(auditPlacements(specs, s.placements()), []);
  });

  test('only sessions of lower priority than the waiting work, and only those given as victims', () => {
    const s = new Scheduler([node('a', { cpus: 2, memoryMb: 4096 })]);
    running(s, ['x'], { cpus: 2, memoryMb: 1024 }, 3);
    s.enqueue(demand('w', { cpus: 2, memoryMb: 1024 }, { priority: 3 }));
    assert.deepEqual(s.preemptions(0, victims(['x'], 3)), [], 'equal priority does not preempt');
    assert.deepEqual(s.preemptions(0, []), []);
    assert.deepEqual(
      s.preemptions(0, victims(['x'], 2)).map((p) => p.sessionId),
      ['x'],
    );
  });

  test('a victim that frees nothing the demand lacks is left running', () => {
    const s = new Scheduler([node('g', { cpus: 8, memoryMb: 16_384, gpus: 1 })]);
    running(s, ['cpuOnly'], { cpus: 1, memoryMb: 1024 });
    running(s, ['gpuUser'], { cpus: 1, memoryMb: 1024, gpus: 1 });
    s.enqueue(demand('needsGpu', { cpus: 1, memoryMb: 1024, gpus: 1 }, { priority: 1 }));
    // cpuOnly has the lower priority, so it is tried first, but freeing it gives no GPU.
    const p = s.preemptions(0, [
      { sessionId: 'cpuOnly', priority: -5 },
      { sessionId: 'gpuUser', priority: -1 },
    ]);
    assert.deepEqual(
      p.map((x) => x.sessionId),
      ['gpuUser'],
    );
  });

  test('pending preemptions count as done: no second victim for the same need', () => {
    const s = new Scheduler([node('a', { cpus: 4, memoryMb: 4096 })]);
    running(s, ['v1', 'v2'], { cpus: 1, memoryMb: 2048 });
    s.enqueue(demand('w', { cpus: 1, memoryMb: 2048 }, { priority: 1 }));
    const first = s.preemptions(0, victims(['v1', 'v2']));
    assert.equal(first.length, 1);
    const rest = victims(['v1', 'v2']).filter((v) => v.sessionId !== first[0]!.sessionId);
    assert.deepEqual(s.preemptions(0, rest, [first[0]!.sessionId]), []);
  });

  test('two waiting demands do not count the same freed room twice', () => {
    const s = new Scheduler([node('a', { cpus: 4, memoryMb: 4096 })]);
    running(s, ['v1', 'v2'], { cpus: 1, memoryMb: 2048 });
    s.enqueue(demand('w1', { cpus: 1, memoryMb: 2048 }, { priority: 2 }));
    s.enqueue(demand('w2', { cpus: 1, memoryMb: 2048 }, { priority: 1 }));
    const p = s.preemptions(0, victims(['v1', 'v2']));
    assert.deepEqual(p.map((x) => x.for).sort(), ['w1', 'w2']);
    assert.equal(new Set(p.map((x) => x.sessionId)).size, 2);
  });

  test('a gang victim frees every node it holds: one preemption serves waiting work on two nodes', () => {
    const specs = [node('a', { cpus: 2, memoryMb: 2048 }), node('b', { cpus: 2, memoryMb: 2048 })];
    const s = new Scheduler(specs);
    s.enqueue(demand('gang', { cpus: 2, memoryMb: 2048 }, { replicas: 2 }));
    const [g] = s.schedule(0);
    assert.deepEqual(new Set(g!.ranks!.map((r) => r.node)), new Set(['a', 'b']));
    s.enqueue(demand('w1', { cpus: 2, memoryMb: 2048 }, { priority: 2 }));
    s.enqueue(demand('w2', { cpus: 2, memoryMb: 2048 }, { priority: 1 }));
    const before = JSON.stringify(s.placements());
    const p = s.preemptions(0, [{ sessionId: 'gang', priority: -1 }]);
    assert.deepEqual(
      p.map((x) => [x.sessionId, x.for]),
      [['gang', 'w1']],
      'w2 takes the other node the gang frees, without a second victim',
    );
    assert.equal(JSON.stringify(s.placements()), before);
    assert.deepEqual(auditPlacements(specs, s.placements()), []);
    // Once the gang is gone both waiting sessions are placed, as the what-if said.
    s.release('gang');
    assert.deepEqual(
      s
        .schedule(0)
        .map((x) => x.sessionId)
        .sort(),
      ['w1', 'w2'],
    );
  });

  test('a waiting gang takes the fewest victims its ranks need, and is placed once they are gone', () => {
    const specs = [node('a', { cpus: 2, memoryMb: 2048 }), node('b', { cpus: 2, memoryMb: 2048 })];
    const s = new Scheduler(specs);
    running(s, ['low-a'], { cpus: 1, memoryMb: 1024 });
    running(s, ['mid-a'], { cpus: 1, memoryMb: 1024 });
    running(s, ['mid-b'], { cpus: 2, memoryMb: 2048 });
    s.enqueue(demand('g', { cpus: 1, memoryMb: 1024 }, { priority: 5, replicas: 2 }));
    // low-a goes first (lowest priority) but is not enough; with mid-b gone too the gang fits on b, and then
    // low-a is given back: b alone holds both ranks.
    const p = s.preemptions(0, [
      { sessionId: 'low-a', priority: -3 },
      { sessionId: 'mid-a', priority: -1 },
      { sessionId: 'mid-b', priority: -1 },
    ]);
    assert.deepEqual(
      p.map((x) => [x.sessionId, x.for, x.node]),
      [['mid-b', 'g', 'b']],
    );
    assert.deepEqual(auditPlacements(specs, s.placements()), []);
    s.release('mid-b');
    assert.deepEqual(
      s.schedule(0).map((x) => [x.sessionId, x.ranks?.map((r) => r.node)]),
      [['g', ['b', 'b']]],
    );
  });

  test('a waiting gang gives back a victim it turns out not to need', () => {
    const s = new Scheduler([node('a', { cpus: 4, memoryMb: 4096 })]);
    running(s, ['small'], { cpus: 1, memoryMb: 512 });
    running(s, ['big'], { cpus: 3, memoryMb: 3584 });
    s.enqueue(demand('g', { cpus: 1, memoryMb: 1024 }, { priority: 5, replicas: 3 }));
    // Lowest priority first lets `small` go, then `big`; with `big` gone, `small` can stay.
    const p = s.preemptions(0, [
      { sessionId: 'small', priority: -5 },
      { sessionId: 'big', priority: -1 },
    ]);
    assert.deepEqual(
      p.map((x) => x.sessionId),
      ['big'],
    );
  });

  test('a waiting gang that no set of victims makes room for preempts nothing', () => {
    const s = new Scheduler([node('a', { cpus: 2, memoryMb: 2048 })]);
    running(s, ['v'], { cpus: 1, memoryMb: 1024 });
    running(s, ['keep'], { cpus: 1, memoryMb: 1024 }, 9);
    s.enqueue(demand('g', { cpus: 1, memoryMb: 1024 }, { priority: 5, replicas: 2 }));
    assert.deepEqual(s.preemptions(0, [...victims(['v']), { sessionId: 'keep', priority: 9 }]), []);
  });

  test('a gang no victims make room for does not stop a plain session of its rank shape from preempting', () => {
    const s = new Scheduler([node('a', { cpus: 2, memoryMb: 2048 })]);
    running(s, ['v'], { cpus: 1, memoryMb: 1024 });
    running(s, ['keep'], { cpus: 1, memoryMb: 1024 }, 9);
    s.enqueue(demand('g', { cpus: 1, memoryMb: 1024 }, { priority: 5, replicas: 2 }));
    s.enqueue(demand('w', { cpus: 1, memoryMb: 1024 }, { priority: 3 }));
    assert.deepEqual(
      s
        .preemptions(0, [...victims(['v']), { sessionId: 'keep', priority: 9 }])
        .map((p) => [p.sessionId, p.for]),
      [['v', 'w']],
    );
  });

  test('work that fits already, or fits nowhere even when every victim goes, preempts nothing', () => {
    const s = new Scheduler([node('a', { cpus: 4, memoryMb: 4096 })]);
    running(s, ['v'], { cpus: 1, memoryMb: 1024 });
    s.enqueue(demand('huge', { cpus: 4, memoryMb: 8192 }, { priority: 9 }));
    assert.deepEqual(s.preemptions(0, victims(['v'])), []);
  });
});
