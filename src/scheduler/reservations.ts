/** Nodes kept free for long-waiting demands, so backfill cannot starve a big request forever. */
import type { NodeState } from './node-state.js';
import type { QueueEntry } from './queue.js';

type Shortfall = [gpus: number, mem: number, milliCpu: number];

const less = (a: Shortfall, b: Shortfall) =>
  a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] < b[2])));

export class Reservations {
  readonly #bySession = new Map<string, NodeState>();
  readonly #perPool = new Map<string, number>();
  readonly #maxPerPool: number;

  constructor(maxPerPool: number) {
    this.#maxPerPool = maxPerPool;
  }

  get(sessionId: string): NodeState | undefined {
    return this.#bySession.get(sessionId);
  }

  #full(pool: string): boolean {
    return (this.#perPool.get(pool) ?? 0) >= this.#maxPerPool;
  }

  /**
   * Reserves, among `candidates`, the free-to-reserve node that could ever hold `e` and is closest to
   * holding it now (smallest shortfall in GPUs, then memory, then cpus; ties to the first declared).
   */
  reserve(e: QueueEntry, candidates: readonly NodeState[]): NodeState | undefined {
    if (e.demand.pool !== undefined && this.#full(e.demand.pool)) return undefined;
    const { req } = e;
    let best: NodeState | undefined;
    let bestKey: Shortfall = [0, 0, 0];
    for (const n of candidates) {
      if (n.reservedFor !== undefined || this.#full(n.pool) || !n.couldEverFit(req) || !n.hasLabels(e.labels))
        continue;
      const key: Shortfall = [
        Math.max(0, req.gpus - n.gpuRoom(req.parts)),
        Math.max(0, req.mem - n.freeMem),
        Math.max(0, req.milliCpu - n.freeMilliCpu),
      ];
      if (best === undefined || less(key, bestKey)) {
        best = n;
        bestKey = key;
      }
    }
    if (best) {
      best.reservedFor = e.demand.sessionId;
      this.#bySession.set(e.demand.sessionId, best);
      this.#perPool.set(best.pool, (this.#perPool.get(best.pool) ?? 0) + 1);
    }
    return best;
  }

  /** Ends the reservation held for a session (placed, removed, constraints changed, node gone). */
  drop(sessionId: string): void {
    const n = this.#bySession.get(sessionId);
    if (!n) return;
    n.reservedFor = undefined;
    this.#bySession.delete(sessionId);
    this.#perPool.set(n.pool, (this.#perPool.get(n.pool) ?? 1) - 1);
  }

  list(): Array<{ sessionId: string; node: string }> {
    return [...this.#bySession].map(([sessionId, n]) => ({ sessionId, node: n.name }));
  }
}
