/** Waiting demands ordered by effective priority (priority + aging bonus), then FIFO, then session id. */
import { ConflictError, NotFoundError } from '../errors/index.js';
import type { Demand, Resources } from './types.js';
import { labelPairs, normalizeDemand, type Req, toReq } from './units.js';

export interface QueueEntry {
  demand: Demand & { resources: Required<Resources> };
  req: Req;
  labels: Array<[string, string]>;
  /** Ranks placed together (1 for a plain session). */
  replicas: number;
  /** Same key ⇒ same constraints and same per-rank request; used to skip shapes already known not to fit. */
  shape: string;
  /** Scratch: effective priority at the last `ordered()` call. */
  effective: number;
}

const shapeOf = (d: Demand, req: Req, labels: Array<[string, string]>): string =>
  `${d.engine ?? 'local'}\u0000${d.pool ?? '\u0001'}\u0000${labels.flat().join('\u0000')}\u0000${req.milliCpu}/${req.mem}/${req.gpus}/${req.parts}`;

function build(demand: Demand): QueueEntry {
  const d = normalizeDemand(demand);
  const req = toReq(d.resources);
  const labels = labelPairs(d.labels);
  const replicas = d.replicas ?? 1;
  return { demand: d, req, labels, replicas, shape: shapeOf(d, req, labels), effective: d.priority };
}

const byOrder = (a: QueueEntry, b: QueueEntry): number =>
  b.effective - a.effective ||
  a.demand.submittedAt - b.demand.submittedAt ||
  (a.demand.sessionId < b.demand.sessionId ? -1 : a.demand.sessionId > b.demand.sessionId ? 1 : 0);

export class DemandQueue {
  readonly #entries = new Map<string, QueueEntry>();
  readonly #agingMs: number;

  /** `agingMs`: one priority point is added per this many ms waited; `Infinity` turns aging off. */
  constructor(agingMs: number) {
    this.#agingMs = agingMs;
  }

  get size(): number {
    return this.#entries.size;
  }

  has(sessionId: string): boolean {
    return this.#entries.has(sessionId);
  }

  get(sessionId: string): QueueEntry | undefined {
    return this.#entries.get(sessionId);
  }

  add(demand: Demand): QueueEntry {
    const entry = build(demand);
    const id = entry.demand.sessionId;
    if (this.#entries.has(id)) {
      throw new ConflictError(`session ${id} is already queued`, { details: { sessionId: id } });
    }
    this.#entries.set(id, entry);
    return entry;
  }

  delete(sessionId: string): boolean {
    return this.#entries.delete(sessionId);
  }

  /** Changes pool and priority of a waiting demand (long-run demotion, operator action). */
  update(sessionId: string, pool: string | undefined, priority: number): Demand {
    const old = this.#entries.get(sessionId);
    if (!old) throw new NotFoundError(`session ${sessionId} is not queued`, { details: { sessionId } });
    const { pool: _old, ...rest } = old.demand;
    const entry = build(pool === undefined ? { ...rest, priority } : { ...rest, pool, priority });
    this.#entries.set(sessionId, entry);
    return entry.demand;
  }

  bonus(waitedMs: number): number {
    return waitedMs > 0 ? Math.floor(waitedMs / this.#agingMs) : 0;
  }

  /** All entries in scheduling order as of `now`. */
  ordered(now: number): QueueEntry[] {
    const out = [...this.#entries.values()];
    for (const e of out) e.effective = e.demand.priority + this.bonus(now - e.demand.submittedAt);
    return out.sort(byOrder);
  }
}
