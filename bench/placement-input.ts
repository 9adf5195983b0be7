/** The placement bench's input: 1,000 nodes in three pools and 10,000 demands of mixed shapes, from a seed. */
import type { Demand, NodeSpec } from '../src/scheduler/index.js';
import { prng } from '../src/util/prng.js';

export const NODES = 1_000;
export const SESSIONS = 10_000;

export function weighted<T>(rand: () => number, table: Array<[number, T]>): T {
  let r = rand() * table.reduce((a, [w]) => a + w, 0);
  for (const [w, v] of table) {
    r -= w;
    if (r < 0) return v;
  }
  return table[table.length - 1]![1];
}

/**
 * With `maxReplicas` > 1 each demand is a gang of 1 to `maxReplicas` ranks (uniform, from a separate stream, so the
 * nodes and the per-rank shapes stay those of the single-rank input).
 */
export function placementInput(seed: number, maxReplicas = 1): { specs: NodeSpec[]; demands: Demand[] } {
  const ranks = prng(seed + 1);
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
    if (maxReplicas > 1) d.replicas = 1 + Math.floor(ranks() * maxReplicas);
    demands.push(d);
  }
  return { specs, demands };
}
