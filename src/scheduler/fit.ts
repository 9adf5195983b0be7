/** Whether a request could ever run on the declared nodes, judged on total (not free) capacity. */
import type { NodeState } from './node-state.js';
import type { FitVerdict } from './types.js';
import { CPU_SCALE, type Req } from './units.js';

const where = (pool: string | undefined) => (pool === undefined ? 'any pool' : `pool ${pool}`);
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/**
 * Checks constraints first (pool, labels), then each dimension in scarcity order (GPUs, memory, cpus)
 * against the largest eligible node, and finally whether one single node holds all dimensions together; a gang
 * also needs room for all its ranks at once on the eligible nodes together.
 */
export function canEverFit(
  nodes: readonly NodeState[],
  req: Req,
  pool: string | undefined,
  labels: ReadonlyArray<[string, string]>,
  replicas = 1,
): FitVerdict {
  const inPool = pool === undefined ? nodes : nodes.filter((n) => n.pool === pool);
  if (inPool.length === 0) {
    const pools = [...new Set(nodes.map((n) => n.pool))].sort().join(', ') || 'none';
    return { ok: false, dimension: 'pool', reason: `no node in pool ${pool} (pools: ${pools})` };
  }
  const eligible = inPool.filter((n) => n.hasLabels(labels));
  if (eligible.length === 0) {
    const want = labels.map(([k, v]) => `${k}=${v}`).join(', ');
    return { ok: false, dimension: 'labels', reason: `no node in ${where(pool)} has labels ${want}` };
  }
  let gpus = 0;
  let mem = 0;
  let cpu = 0;
  let ranks = 0;
  for (const n of eligible) {
    if (n.couldEverFit(req)) {
      ranks += n.maxRanks(req, replicas - ranks);
      if (ranks >= replicas) return { ok: true };
    }
    gpus = Math.max(gpus, n.gpuIndex.length);
    mem = Math.max(mem, n.capMem);
    cpu = Math.max(cpu, n.capMilliCpu);
  }
  const scope = `${where(pool)}${labels.length > 0 ? ' with the required labels' : ''}`;
  if (ranks > 0) {
    return {
      ok: false,
      dimension: 'replicas',
      reason: `needs ${replicas} ranks at once, the nodes in ${scope} hold at most ${ranks} even when empty`,
    };
  }
  if (req.gpus > gpus) {
    return {
      ok: false,
      dimension: 'gpus',
      reason: `needs ${plural(req.gpus, 'GPU')}, the largest node in ${scope} has ${gpus}`,
    };
  }
  if (req.mem > mem) {
    return {
      ok: false,
      dimension: 'memoryMb',
      reason: `needs ${req.mem} MB memory, the largest node in ${scope} has ${mem} MB`,
    };
  }
  if (req.milliCpu > cpu) {
    return {
      ok: false,
      dimension: 'cpus',
      reason: `needs ${req.milliCpu / CPU_SCALE} cpus, the largest node in ${scope} has ${cpu / CPU_SCALE}`,
    };
  }
  return {
    ok: false,
    dimension: 'combination',
    reason:
      `no single node in ${scope} has ${plural(req.gpus, 'GPU')}, ${req.mem} MB memory and ` +
      `${req.milliCpu / CPU_SCALE} cpus together`,
  };
}
