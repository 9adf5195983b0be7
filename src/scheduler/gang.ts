/**
 * Gangs: the ranks of one session placed in a single decision, all of them or none, so a gang that does not fit
 * holds nothing while it waits and two gangs can never each hold half of what the other needs.
 */
import type { NodeState } from './node-state.js';
import type { QueueEntry } from './queue.js';
import type { Placement, RankPlacement, Resources } from './types.js';

/**
 * Places every rank of `e`: on the best-fitting single node that holds the whole gang (ranks on one node talk
 * fastest), else one rank at a time on the best-fitting node given the ranks already placed (identical ranks make
 * this greedy pass exact: a node's room for one more rank only shrinks by the rank it took). The node that took the
 * last rank stays the best fit while it has room (it was the tightest, and only got tighter), so nodes are scanned
 * once per node used, not once per rank. `noWhole` (per scheduling pass, as free room only shrinks within one)
 * remembers, per shape, the fewest ranks no single node could hold, to skip that scan for as many or more.
 * Returns the distinct nodes used, or undefined with nothing held.
 */
export function placeGang(
  e: QueueEntry,
  bestFit: (e: QueueEntry) => NodeState | undefined,
  noWhole: Map<string, number>,
): NodeState[] | undefined {
  const id = e.demand.sessionId;
  const { req, replicas: n } = e;
  let node: NodeState | undefined;
  if (n < (noWhole.get(e.shape) ?? Infinity)) {
    node = bestFit({
      ...e,
      req: { ...req, milliCpu: req.milliCpu * n, mem: req.mem * n, gpus: req.gpus * n },
    });
    if (!node) noWhole.set(e.shape, n);
  }
  const used: NodeState[] = [];
  for (let rank = 0; rank < n; rank++) {
    if (!node?.fits(req)) node = bestFit(e);
    if (!node) {
      for (const u of used) u.release(id);
      return undefined;
    }
    node.allocateRank(id, req, rank);
    if (!used.includes(node)) used.push(node);
  }
  return used;
}

/** The placement of a gang held on `nodes`: rank 0's node and GPUs up front, every rank in `ranks`. */
export function gangPlacement(sessionId: string, nodes: readonly NodeState[]): Placement | undefined {
  const ranks: RankPlacement[] = [];
  let r: Required<Resources> | undefined;
  for (const n of nodes) r = n.fillRanks(sessionId, ranks) ?? r;
  if (!r) return undefined;
  const zero = ranks[0]!;
  return {
    sessionId,
    node: zero.node,
    gpus: zero.gpus,
    cpus: r.cpus,
    memoryMb: r.memoryMb,
    gpuMemoryFraction: r.gpuMemoryFraction,
    ranks,
  };
}
