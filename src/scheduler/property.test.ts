import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prng } from '../util/prng.js';
import { auditPlacements } from './audit.js';
import { Scheduler } from './scheduler.js';
import { node } from './testing/builders.js';
import type { Demand, NodeSnapshot, NodeSpec, Placement } from './types.js';

const POOLS = ['training', 'production', 'low-priority'];
const FRACTIONS = [0.1, 0.2, 0.25, 0.3, 0.5, 0.7, 1];

function world(rand: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const specs: NodeSpec[] = Array.from({ length: 12 }, (_, i) =>
    node(`n${i}`, {
      pool: pick(POOLS),
      cpus: pick([2, 4.5, 8, 16]),
      memoryMb: pick([4096, 16_384, 65_536]),
      gpus: pick([0, 1, 2, 4, 8]),
      labels: rand() < 0.5 ? { zone: pick(['eu', 'us']) } : {},
    }),
  );
  const demand = (id: number, now: number): Demand => {
    const gpus = pick([0, 0, 1, 1, 2, 4]);
    const d: Demand = {
      sessionId: `s${id}`,
      resources: {
        cpus: pick([0.25, 0.5, 1, 2, 3.3, 6]),
        memoryMb: pick([256, 1000, 2048, 8192]),
        gpus,
        gpuMemoryFraction: gpus > 0 ? pick(FRACTIONS) : 1,
      },
      priority: Math.floor(rand() * 5),
      submittedAt: now - Math.floor(rand() * 5000),
    };
    if (rand() < 0.4) d.pool = pick(POOLS);
    if (rand() < 0.2) d.labels = { zone: pick(['eu', 'us']) };
    return d;
  };
  return { specs, demand, pick };
}

const EPS = 1e-9;

function fitsSnapshot(n: NodeSnapshot, d: Demand): boolean {
  const r = d.resources;
  const f = r.gpuMemoryFraction ?? 1;
  if (d.pool !== undefined && n.pool !== d.pool) return false;
  for (const [k, v] of Object.entries(d.labels ?? {})) if (n.labels[k] !== v) return false;
  if (n.free.cpus + EPS < r.cpus || n.free.memoryMb < Math.ceil(r.memoryMb)) return false;
  const room = n.gpus.filter((g) => (f === 1 ? g.usedFraction === 0 : g.usedFraction + f <= 1 + EPS)).length;
  return room >= r.gpus;
}

function checkConsistency(specs: NodeSpec[], s: Scheduler, demands: Map<string, Demand>): void {
  const placements = s.placements();
  assert.deepEqual(auditPlacements(specs, placements), []);
  const bySpec = new Map(specs.map((n) => [n.name, n]));
  for (const p of placements) {
    const d = demands.get(p.sessionId)!;
    const spec = bySpec.get(p.node)!;
    if (d.pool !== undefined) assert.equal(spec.pool, d.pool);
    for (const [k, v] of Object.entries(d.labels ?? {})) assert.equal(spec.labels[k], v);
    assert.equal(p.gpus.length, d.resources.gpus);
  }
  for (const n of s.nodes()) {
    const mine = placements.filter((p) => p.node === n.name);
    const cpus = mine.reduce((a, p) => a + p.cpus, 0);
    assert.ok(Math.abs(n.allocated.cpus - cpus) < 1e-6, `${n.name} cpus ${n.allocated.cpus} vs ${cpus}`);
    assert.ok(n.free.cpus >= 0 && n.free.memoryMb >= 0 && n.free.gpus >= 0);
    assert.ok(Math.abs(n.allocated.cpus + n.free.cpus - n.capacity.cpus) < 1e-6);
    for (const g of n.gpus) {
      assert.ok(g.usedFraction <= 1 + EPS);
      const sum = g.holders.reduce((a, h) => a + h.fraction, 0);
      assert.ok(Math.abs(sum - g.usedFraction) < 1e-6);
      if (g.holders.some((h) => h.fraction === 1)) assert.equal(g.holders.length, 1);
    }
  }
}

interface Stats {
  placed: number;
  shared: number;
  reserved: number;
}

function run(seed: number, reserveAfterMs: number): Stats {
  const stats: Stats = { placed: 0, shared: 0, reserved: 0 };
  const rand = prng(seed);
  const { specs, demand, pick } = world(rand);
  const s = new Scheduler(specs, { agingMs: 2000, reserveAfterMs });
  const demands = new Map<string, Demand>();
  let now = 10_000;
  let next = 0;
  for (let step = 0; step < 1500; step++) {
    now += Math.floor(rand() * 200);
    const action = rand();
    if (action < 0.45) {
      const d = demand(next++, now);
      demands.set(d.sessionId, d);
      if (s.canEverFit(d.resources, d.pool, d.labels).ok) s.enqueue(d);
    } else if (action < 0.75) {
      const placed = s.schedule(now);
      stats.placed += placed.length;
      stats.reserved += s.reservations().length;
      stats.shared += s.nodes().filter((n) => n.gpus.some((g) => g.holders.length > 1)).length;
      for (const p of placed) assert.deepEqual(s.allocationOf(p.sessionId), p);
      if (reserveAfterMs === Number.POSITIVE_INFINITY) {
        // Without reservations a pass leaves nothing behind that some node could take right now.
        const snaps = s.nodes();
        for (const q of s.queued(now)) {
          const d = demands.get(q.sessionId)!;
          assert.ok(!snaps.some((n) => fitsSnapshot(n, d)), `${q.sessionId} fits but was left queued`);
        }
      }
    } else if (action < 0.95) {
      const placed = s.placements();
      if (placed.length > 0) assert.ok(s.release(pick(placed).sessionId));
    } else {
      const q = s.queued(now);
      if (q.length > 0) assert.ok(s.remove(pick(q).sessionId));
    }
    checkConsistency(specs, s, demands);
  }
  // Restart: a fresh scheduler rebuilt from the placements sees the same nodes.
  const rebuilt = new Scheduler(specs);
  const r = rebuilt.restore(s.placements());
  assert.deepEqual(r.rejected, []);
  const strip = (ns: NodeSnapshot[]) =>
    ns.map(({ reservedFor: _r, ...n }) => ({ ...n, sessions: [...n.sessions].sort() }));
  const sortHolders = (ns: ReturnType<typeof strip>) =>
    ns.map((n) => ({
      ...n,
      gpus: n.gpus.map((g) => ({
        ...g,
        holders: [...g.holders].sort((a, b) => (a.sessionId < b.sessionId ? -1 : 1)),
      })),
    }));
  assert.deepEqual(sortHolders(strip(rebuilt.nodes())), sortHolders(strip(s.nodes())));
  return stats;
}

/** Guards against a vacuous run: the random walk must really place, share GPUs and (when on) reserve. */
function assertBusy(stats: Stats, reservations: boolean): void {
  assert.ok(stats.placed > 200, `placed ${stats.placed}`);
  assert.ok(stats.shared > 0, 'some GPU was shared by fractional sessions');
  if (reservations) assert.ok(stats.reserved > 0, 'some node was reserved');
}

test('random enqueue/schedule/release never over-allocates (seeded)', () => {
  for (const seed of [1, 2, 3, 42, 2024]) assertBusy(run(seed, Number.POSITIVE_INFINITY), false);
});

test('same with reservations on', () => {
  for (const seed of [7, 8, 9]) assertBusy(run(seed, 1500), true);
});

test('placements carry what was asked for', () => {
  const placements: Placement[] = [];
  const s = new Scheduler([node('n', { gpus: 2, cpus: 4 })]);
  s.enqueue({
    sessionId: 'x',
    resources: { cpus: 1.5, memoryMb: 100.5, gpus: 1, gpuMemoryFraction: 0.3 },
    priority: 0,
    submittedAt: 0,
  });
  placements.push(...s.schedule(0));
  assert.deepEqual(placements, [
    { sessionId: 'x', node: 'n', gpus: [0], cpus: 1.5, memoryMb: 100.5, gpuMemoryFraction: 0.3 },
  ]);
  assert.equal(s.nodes()[0]?.allocated.memoryMb, 101, 'memory is counted in whole MB, rounded up');
});
