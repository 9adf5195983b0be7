/**
 * Placement throughput of the scheduler: 10,000 queued sessions onto 1,000 nodes, against a naive first-fit; then the
 * same with gangs of 1–8 ranks (each placed all at once or not at all), against the single-rank figure; and the
 * preemption what-if over the leftover queue, against the placement pass it follows.
 */
import { performance } from 'node:perf_hooks';
import {
  auditPlacements,
  type Demand,
  type NodeSpec,
  type Placement,
  Scheduler,
} from '../src/scheduler/index.js';
import { prng } from '../src/util/prng.js';
import { NODES, placementInput, SESSIONS } from './placement-input.js';

const REPS = 5;
const TARGET = 20_000;
const MAX_REPLICAS = 8;

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

const { specs, demands } = placementInput(20_240_601);
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

// Preemption: the what-if after a pass, with 10% of the running sessions as victims (demoted, restartable) and
// the queue left over, timed against the churn pass it follows; the table must come out unchanged.
const victims = scheduler
  .placements()
  .filter(() => rand() < 0.1)
  .map((p) => ({ sessionId: p.sessionId, priority: -100 }));
const tableBefore = JSON.stringify(scheduler.placements());
const preemptTimes: number[] = [];
let preempted: ReturnType<Scheduler['preemptions']> = [];
for (let rep = 0; rep < REPS; rep++) {
  const tp = performance.now();
  preempted = scheduler.preemptions(now + 60_000, victims);
  preemptTimes.push(performance.now() - tp);
}
const preemptMs = median(preemptTimes);
if (JSON.stringify(scheduler.placements()) !== tableBefore) fail('the preemption what-if changed the table');

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
  `preemption what-if : ${fmt(victims.length)} victims, queue ${fmt(scheduler.queueSize)} → ` +
    `${fmt(preempted.length)} to stop for ${fmt(new Set(preempted.map((p) => p.for)).size)} waiting, in ` +
    `${preemptMs.toFixed(1)} ms median of ${REPS} (${(preemptMs / refillMs).toFixed(1)}× the churn pass); table unchanged`,
);
console.log(
  `over-allocation    : none (${NODES} nodes audited from placements: cpus, memory, GPU exclusivity and fractions)`,
);

// Gangs: same nodes and per-rank shapes, each session 1–8 ranks; a placement is one whole gang.
const gangInput = placementInput(20_240_601, MAX_REPLICAS);
const gangRates: number[] = [];
let gangPlaced: Placement[] = [];
for (let rep = 0; rep < REPS; rep++) {
  const s = new Scheduler(gangInput.specs);
  for (const d of gangInput.demands) s.enqueue(d);
  const t0 = performance.now();
  gangPlaced = s.schedule(now);
  gangRates.push(gangPlaced.length / ((performance.now() - t0) / 1000));
  const problems = auditPlacements(gangInput.specs, s.placements());
  if (problems.length > 0) fail(`gang over-allocation: ${problems.slice(0, 5).join('; ')}`);
}
const replicasOf = new Map(gangInput.demands.map((d) => [d.sessionId, d.replicas ?? 1]));
for (const p of gangPlaced) {
  const want = replicasOf.get(p.sessionId)!;
  if ((p.ranks?.length ?? 1) !== want)
    fail(`gang ${p.sessionId} placed ${p.ranks?.length ?? 1} of ${want} ranks`);
}
const gangRate = median(gangRates);
const ranks = gangPlaced.reduce((a, p) => a + (p.ranks?.length ?? 1), 0);
const spread = gangPlaced.filter((p) => new Set(p.ranks?.map((r) => r.node)).size > 1).length;
console.log(
  `gangs of 1–${MAX_REPLICAS} ranks : ${fmt(gangRate)} placements/s  (${fmt(gangPlaced.length)} gangs placed whole, ` +
    `${fmt(ranks)} ranks, ${fmt((gangRate * ranks) / gangPlaced.length)} ranks/s; ${fmt(spread)} spread over nodes; ` +
    `${gpuUse(
      gangInput.specs,
      gangPlaced.flatMap((p) => (p.ranks ?? [p]).map((r) => ({ ...p, gpus: r.gpus }))),
    )} in use)`,
);
console.log(`gang / single-rank : ${(gangRate / ourRate).toFixed(2)} (goal ≥ 0.5)`);
if (ourRate < TARGET) fail(`${fmt(ourRate)} placements/s is below the ${fmt(TARGET)} target`);
if (gangRate < ourRate / 2) fail(`gang placement at ${fmt(gangRate)}/s is below half the single-rank figure`);
