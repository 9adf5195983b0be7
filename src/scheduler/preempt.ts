/**
 * Preemption as a what-if on the live table: which running sessions to stop so that waiting work of higher
 * priority fits. Nothing is changed: every allocation taken off or added during the what-if is put back.
 */

import { placeGang } from './gang.js';
import type { Allocation, NodeState } from './node-state.js';
import type { QueueEntry } from './queue.js';
import type { Req } from './units.js';

/** A running session that may be preempted (the caller decides which: demoted, restartable…). */
export interface Victim {
  sessionId: string;
  priority: number;
}

export interface Preemption {
  /** The session to stop. */
  sessionId: string;
  /** The waiting session it makes room for, and where. */
  for: string;
  forPriority: number;
  node: string;
}

/** What `n` lacks for `req`, per dimension (0 where it has room). */
function deficit(n: NodeState, req: Req): [number, number, number] {
  return [
    Math.max(0, req.milliCpu - n.freeMilliCpu),
    Math.max(0, req.mem - n.freeMem),
    req.gpus === 0 ? 0 : Math.max(0, req.gpus - n.gpuRoom(req.parts)),
  ];
}

const helps = (before: number[], after: number[]): boolean => after.some((v, i) => v < before[i]!);

/** The order victims are taken in: lowest priority first, then the youngest (ids grow with time). */
const yieldOrder = (a: Victim, b: Victim): number =>
  a.priority - b.priority || (a.sessionId < b.sessionId ? 1 : -1);

export interface PreemptInput {
  /** The queue in scheduling order, just after a placement pass: none of it fits as things are. */
  waiting: readonly QueueEntry[];
  /** The nodes a demand may go to (its engine and pool): where a waiting gang may put its ranks. */
  candidates: (e: QueueEntry) => readonly NodeState[];
  /** The nodes a session holds resources on (a gang's ranks may be on several). */
  holders: (sessionId: string) => readonly NodeState[];
  victims: readonly Victim[];
  /** Sessions already asked to yield; what they hold counts as free. */
  pending: readonly string[];
}

/**
 * Walks the queue in order. A plain demand of higher priority than some victim that fits nowhere, even counting
 * pending preemptions as done, gets the node where the fewest victims (lowest priority first, then youngest) free
 * enough; a victim is only taken when it frees something the demand lacks. A gang victim frees every node it holds.
 * A waiting gang takes the fewest victims it can place its ranks beside (see `gangVictims`).
 * A plain demand looks only at nodes holding victims or pending sessions: the rest did not fit the queue in the
 * pass just made. A shape that found no room for n ranks cannot find it for n or more later in the walk (room only
 * shrinks and later demands may take fewer victims), so those are skipped, as in a placement pass.
 */
export function choosePreemptions(input: PreemptInput): Preemption[] {
  const { victims, holders } = input;
  if (victims.length === 0) return [];
  const floor = Math.min(...victims.map((v) => v.priority));
  const onNode = new Map<NodeState, Victim[]>();
  for (const v of victims) {
    for (const n of holders(v.sessionId)) {
      const list = onNode.get(n) ?? [];
      list.push(v);
      onNode.set(n, list);
    }
  }
  for (const list of onNode.values()) list.sort(yieldOrder);
  // Where a plain demand can gain room: nodes holding victims or pending sessions, among those it may use. Few,
  // and the same for every demand with the same engine, pool and labels, so listed once per such constraint.
  const hot = new Set<NodeState>([...onNode.keys(), ...input.pending.flatMap(holders)]);
  const hotByConstraint = new Map<string, NodeState[]>();
  const hotNodes = (e: QueueEntry): NodeState[] => {
    const key = `${e.demand.engine}\u0000${e.demand.pool}\u0000${e.labels.flat().join('\u0000')}`;
    let nodes = hotByConstraint.get(key);
    if (!nodes) {
      nodes = input
        .candidates(e)
        .filter((n) => hot.has(n) && (e.labels.length === 0 || n.hasLabels(e.labels)));
      hotByConstraint.set(key, nodes);
    }
    return nodes;
  };

  const out: Preemption[] = [];
  const taken = new Set<string>();
  const freed = new Set<NodeState>();
  /** Shape → the fewest ranks it found no room for. */
  const hopeless = new Map<string, number>();
  const giveUp = (e: QueueEntry) =>
    hopeless.set(e.shape, Math.min(e.replicas, hopeless.get(e.shape) ?? Number.POSITIVE_INFINITY));
  const undo: Array<() => void> = [];
  const free = (id: string) => {
    for (const n of holders(id)) freed.add(n);
    undo.push(detachAll(holders(id), id));
  };
  /** Marks `v` to stop for `e`, its room on `node` free from now on in the what-if. */
  const take = (v: Victim, e: QueueEntry, node: string) => {
    free(v.sessionId);
    taken.add(v.sessionId);
    out.push({ sessionId: v.sessionId, for: e.demand.sessionId, forPriority: e.effective, node });
  };
  try {
    for (const id of input.pending) free(id);
    for (const e of input.waiting) {
      if (e.effective <= floor) break;
      if (e.replicas >= (hopeless.get(e.shape) ?? Number.POSITIVE_INFINITY)) continue;
      if (e.replicas > 1) {
        const nodes = input.candidates(e).filter((n) => e.labels.length === 0 || n.hasLabels(e.labels));
        const chosen = gangVictims(e, nodes, onNode, taken, holders);
        if (!chosen) {
          giveUp(e);
          continue;
        }
        for (const v of chosen) take(v, e, holders(v.sessionId)[0]!.name);
        // Its ranks take their room in the what-if, so later demands do not count on it.
        const used = placeGang(e, firstFit(nodes), new Map())!;
        undo.push(() => {
          for (const n of used) n.release(e.demand.sessionId);
        });
        continue;
      }
      const near = hotNodes(e);
      let target = near.find((n) => freed.has(n) && n.fits(e.req));
      if (!target) {
        const best = cheapest(
          near.filter((n) => onNode.has(n)),
          e,
          onNode,
          taken,
          holders,
        );
        if (!best) {
          giveUp(e);
          continue;
        }
        target = best.node;
        for (const v of best.victims) take(v, e, best.node.name);
      }
      const id = e.demand.sessionId;
      const node = target;
      node.allocate(id, e.req);
      undo.push(() => node.release(id));
    }
  } finally {
    for (const u of undo.reverse()) u();
  }
  return out;
}

/** Takes a session off every node it holds; returns what puts it back exactly. */
function detachAll(nodes: readonly NodeState[], id: string): () => void {
  const held: Array<[NodeState, Allocation]> = [];
  for (const n of nodes) {
    const a = n.detach(id);
    if (a) held.push([n, a]);
  }
  return () => {
    for (const [n, a] of held) n.reattach(id, a);
  };
}

/** The node where the fewest victims below `e`'s priority free enough for it, and those victims. */
function cheapest(
  nodes: readonly NodeState[],
  e: QueueEntry,
  onNode: ReadonlyMap<NodeState, Victim[]>,
  taken: ReadonlySet<string>,
  holders: (sessionId: string) => readonly NodeState[],
): { node: NodeState; victims: Victim[] } | undefined {
  let best: { node: NodeState; victims: Victim[] } | undefined;
  for (const n of nodes) {
    const candidates = (onNode.get(n) ?? []).filter(
      (v) => v.priority < e.effective && !taken.has(v.sessionId),
    );
    if (candidates.length === 0 || !n.couldEverFit(e.req)) continue;
    const trial: Array<[Victim, () => void]> = [];
    for (const v of candidates) {
      if (n.fits(e.req) || (best && trial.length >= best.victims.length)) break;
      const before = deficit(n, e.req);
      const restore = detachAll(holders(v.sessionId), v.sessionId);
      if (helps(before, deficit(n, e.req))) trial.push([v, restore]);
      else restore();
    }
    const ok = n.fits(e.req);
    for (const [, restore] of [...trial].reverse()) restore();
    if (ok && (!best || trial.length < best.victims.length))
      best = { node: n, victims: trial.map(([v]) => v) };
    // One victim is the fewest there can be: the demand fit nowhere as things were.
    if (best?.victims.length === 1) break;
  }
  return best;
}

const firstFit =
  (nodes: readonly NodeState[]) =>
  (q: QueueEntry): NodeState | undefined =>
    nodes.find((n) => n.fits(q.req));

/**
 * The fewest victims below a waiting gang's priority whose going lets all its ranks be placed on `nodes` (none
 * when they fit already), or undefined when even all of them would not do. Victims are let go lowest priority
 * first until the gang fits, then each is given back, highest priority first, when the gang still fits without it.
 * The table is left as it was.
 */
function gangVictims(
  e: QueueEntry,
  nodes: readonly NodeState[],
  onNode: ReadonlyMap<NodeState, Victim[]>,
  taken: ReadonlySet<string>,
  holders: (sessionId: string) => readonly NodeState[],
): Victim[] | undefined {
  const fits = () => {
    const used = placeGang(e, firstFit(nodes), new Map());
    for (const n of used ?? []) n.release(e.demand.sessionId);
    return used !== undefined;
  };
  if (fits()) return [];
  const eligible = new Map<string, Victim>();
  for (const n of nodes)
    for (const v of onNode.get(n) ?? [])
      if (v.priority < e.effective && !taken.has(v.sessionId)) eligible.set(v.sessionId, v);
  const order = [...eligible.values()].sort(yieldOrder);
  const gone: Array<[Victim, () => void]> = [];
  let ok = false;
  for (const v of order) {
    gone.push([v, detachAll(holders(v.sessionId), v.sessionId)]);
    ok = fits();
    if (ok) break;
  }
  if (ok) {
    for (let i = gone.length - 1; i >= 0; i--) {
      const [v, restore] = gone[i]!;
      restore();
      if (fits()) gone.splice(i, 1);
      else gone[i] = [v, detachAll(holders(v.sessionId), v.sessionId)];
    }
  }
  for (const [, restore] of [...gone].reverse()) restore();
  return ok ? gone.map(([v]) => v) : undefined;
}
