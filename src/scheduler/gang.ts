/**
 * Gangs: the ranks of one session placed in a single decision, all of them or none, so a gang that does not fit
 * holds nothing while it waits and two gangs can never each hold half of what the other needs.
 */
import type { NodeState } from './node-state.js';
import type { QueueEntry } from './queue.js';
import type { Placement, RankPlacement } from './types.js';

/**
 * Places every rank of `e`: on the best-fitting single node that holds the whole gang (ranks on one node talk
 * fastest), else one rank at a time on the best-fitting node given the ranks already placed (identical ranks make
 * this greedy pass exact: a node's room for one more rank only shrinks by the rank it took). Returns the distinct
 * nodes used, or undefined with nothing held.
 */
export function placeGang(
  e: QueueEntry,
  bestFit: (e: QueueEntry) => NodeState | undefined,
): NodeState[] | undefined {
  const id = e.demand.sessionId;
  const n = e.replicas;
  const whole = bestFit({
    ...e,
    req: { ...e.req, milliCpu: e.req.milliCpu * n, mem: e.req.mem * n, gpus: e.req.gpus * n },
  });
  const used: NodeState[] = [];
  for (let rank = 0; rank < n; rank++) {
    const node = whole ?? bestFit(e);
    if (!node) {
      for (const n of used) n.release(id);
      return undefined;
    }
    node.allocate(id, e.req, rank);
    if (!used.includes(node)) used.push(node);
  }
  return used;
}

/** The placement of a gang held on `nodes`: rank 0's node and GPUs up front, every rank in `ranks`. */
export function gangPlacement(sessionId: string, nodes: readonly NodeState[]): Placement | undefined {
  const first = nodes[0]?.placementOf(sessionId);
  if (!first) return undefined;
  const ranks: RankPlacement[] = [];
  for (const n of nodes) for (const r of n.ranksOf(sessionId)) ranks[r.rank] = { node: n.name, gpus: r.gpus };
  const zero = ranks[0]!;
  return { ...first, node: zero.node, gpus: zero.gpus, ranks };
}
