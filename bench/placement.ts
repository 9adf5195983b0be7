/** Placement throughput of the scheduler: 10,000 queued sessions onto 1,000 nodes, against a naive first-fit. */
import { performance } from 'node:perf_hooks';
import {
  auditPlacements,
  type Demand,
  type NodeSpec,
  type Placement,
  Scheduler,
} from '../src/scheduler/index.js';
import { prng } from '../src/util/prng.js';

const NODES = 1_000;
const SESSIONS = 10_000;
const REPS = 5;
const TARGET = 20_000;

function weighted<T>(rand: () => number, table: Array<[number, T]>): T {
  let r = rand() * table.reduce((a, [w]) => a + w, 0);
  for (const [w, v] of table) {
    r -= w;
    if (r < 0) return v;
  }
  return table[table.length - 1]![1];
}

function input(seed: number): { specs: NodeSpec[]; demands: Demand[] } {
  const rand = prng(seed);
  const pools: Array<[number, string]> = [
    [60, 'training'],
    [25, 'production'],
    [15, 'low-priority'],
  ];
  const specs: NodeSpec[] = [];
  for (let i = 0; i < NODES; i++) {
    const gpus = weighted(rand, [
      [30, 0],
      [30, 2],
      [25, 4],
      [15, 8],
    ]);
    const labels: Record<string, string> = { zone: rand() < 0.5 ? 'eu' : 'us' };
    if (gpus > 0) labels.gpu = rand() < 0.5 ? 'a100' : 'v100';
    specs.push({
      name: `node-${String(i).padStart(4, '0')}`,
      pool: weighted(rand, pools),
      labels,
      capacity: {
        cpus: gpus === 0 ? 32 : 16 * Math.max(2, gpus),
        memoryMb: gpus === 0 ? 131_072 : 65_536 * Math.max(2, gpus),
        gpus: Array.from({ length: gpus }, (_, index) => ({ index, name: 'A100', memoryMb: 40_960 })),
      },
    });
  }
  type Shape = { cpus: number; memoryMb: number; gpus: number; gpuMemoryFraction: number };
  const shapes: Array<[number, Shape]> = [
    [25, { cpus: 1, memoryMb: 2048, gpus: 0, gpuMemoryFraction: 1 }],
    [15, { cpus: 4, memoryMb: 16_384, gpus: 0, gpuMemoryFraction: 1 }],
    [20, { cpus: 4, memoryMb: 32_768, gpus: 1, gpuMemoryFraction: 1 }],
    [8, { cpus: 2, memoryMb: 8192, gpus: 1, gpuMemoryFraction: 0.25 }],
    [7, { cpus: 2, memoryMb: 8192, gpus: 1, gpuMemoryFraction: 0.5 }],
    [12, { cpus: 8, memoryMb: 65_536, gpus: 2, gpuMemoryFraction: 1 }],
    [8, { cpus: 16, memoryMb: 131_072, gpus: 4, gpuMemoryFraction: 1 }],
    [5, { cpus: 32, memoryMb: 262_144, gpus: 8, gpuMemoryFraction: 1 }],
  ];
  const demands: Demand[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const d: Demand = {
      sessionId: `s-${i}`,
      resources: { ...weighted(rand, shapes) },
      priority: Math.floor(rand() * 10),
      submittedAt: Math.floor(rand() * 3_600_000),
    };
    if (rand() < 0.5) d.pool = weighted(rand, pools);
    if (rand() < 0.1) d.labels = d.resources.gpus > 0 ? { gpu: 'a100' } : { zone: 'eu' };
    demands.push(d);
  }
  return { specs, demands };
}

/** The baseline: same order, but first node that fits, every node scanned, floats, no indexes. */
function naiveFirstFit(specs: NodeSpec[], demands: Demand[], now: number): Placement[] {
  const nodes = specs.map((s) => ({
    spec: s,
    cpu: s.capacity.cpus,
    mem: s.capacity.memoryMb,
    gpu: s.capacity.gpus.map((g) => ({ index: g.index, used: 0 })),
  }));
  const agingMs = 5 * 60_000;
  const eff = (d: Demand) => d.priority + Math.floor(Math.max(0, now - d.submittedAt) / agingMs);
  const order = [...demands].sort(
    (a, b) => eff(b) - eff(a) || a.submittedAt - b.submittedAt || (a.sessionId < b.sessionId ? -1 : 1),
  );
  const out: Placement[] = [];
  for (const d of order) {
    const r = d.resources;
    const f = r.gpuMemoryFraction ?? 1;
    for (const n of nodes) {
      if (d.pool !== undefined && n.spec.pool !== d.pool) continue;
      if (Object.entries(d.labels ?? {}).some(([k, v]) => n.spec.labels[k] !== v)) continue;
      if (n.cpu < r.cpus || n.mem < r.memoryMb) continue;
      const open = n.gpu.filter((g) => (f === 1 ? g.used === 0 : g.used + f <= 1 + 1e-9)).slice(0, r.gpus);
      if (open.length < r.gpus) continue;
      n.cpu -= r.cpus;
      n.mem -= r.memoryMb;
      for (const g of open) g.used += f;
      out.push({
        sessionId: d.sessionId,
        node: n.spec.name,
        gpus: open.map((g) => g.index),
        cpus: r.cpus,
        memoryMb: r.memoryMb,
        gpuMemoryFraction: f,
      });
      break;
    }
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function gpuUse(specs: NodeSpec[], placements: Placement[]): string {
  const total = specs.reduce((a, s) => a + s.capacity.gpus.length, 0);
  const used = placements.reduce((a, p) => a + p.gpus.length * p.gpuMemoryFraction, 0);
  return `${((100 * used) / total).toFixed(1)}% of ${total} GPUs`;
}

function fail(message: string): never {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}

const { specs, demands } = input(20_240_601);
const now = 3_600_000;
console.log(
  `placement bench: ${SESSIONS.toLocaleString('en-US')} sessions, ${NODES.toLocaleString('en-US')} nodes, ${REPS} reps (median)`,
);

const ours: number[] = [];
let last: Scheduler | undefined;
let placedCount = 0;
let afterPass = '';
for (let rep = 0; rep < REPS; rep++) {
  const s = new Scheduler(specs);
  for (const d of demands) s.enqueue(d);
  const t0 = performance.now();
  const placed = s.schedule(now);
  const ms = performance.now() - t0;
  ours.push(placed.length / (ms / 1000));
  placedCount = placed.length;
  afterPass = gpuUse(specs, placed);
  last = s;
  const problems = auditPlacements(specs, s.placements());
  if (problems.length > 0) fail(`over-allocation after schedule(): ${problems.slice(0, 5).join('; ')}`);
}
const scheduler = last!;

const naive: number[] = [];
let naivePlaced: Placement[] = [];
for (let rep = 0; rep < REPS; rep++) {
  const t0 = performance.now();
  naivePlaced = naiveFirstFit(specs, demands, now);
  naive.push(naivePlaced.length / ((performance.now() - t0) / 1000));
}

// Churn: free 10% of running sessions and run one more pass over the ~remaining queue.
const rand = prng(7);
const running = scheduler.placements();
let released = 0;
for (const p of running) if (rand() < 0.1 && scheduler.release(p.sessionId)) released++;
const queuedBefore = scheduler.queueSize;
const t0 = performance.now();
const refill = scheduler.schedule(now + 60_000);
const refillMs = performance.now() - t0;
const problems = auditPlacements(specs, scheduler.placements());
if (problems.length > 0) fail(`over-allocation after churn: ${problems.slice(0, 5).join('; ')}`);

const ourRate = median(ours);
const naiveRate = median(naive);
console.log(
  `scheduler best-fit : ${fmt(ourRate)} placements/s  (${fmt(placedCount)} placed, ${afterPass} in use; ` +
    `cold first rep ${fmt(ours[0]!)}/s, best ${fmt(Math.max(...ours))}/s)`,
);
console.log(
  `naive first-fit    : ${fmt(naiveRate)} placements/s  (${fmt(naivePlaced.length)} placed, ${gpuUse(specs, naivePlaced)} in use)`,
);
console.log(`ratio              : ${(ourRate / naiveRate).toFixed(1)}x`);
console.log(
  `churn pass         : released ${fmt(released)}, queue ${fmt(queuedBefore)}, placed ${fmt(refill.length)} ` +
    `in ${refillMs.toFixed(1)} ms (${gpuUse(specs, scheduler.placements())} in use)`,
);
console.log(
  `over-allocation    : none (${NODES} nodes audited from placements: cpus, memory, GPU exclusivity and fractions)`,
);
if (ourRate < TARGET) fail(`${fmt(ourRate)} placements/s is below the ${fmt(TARGET)} target`);
