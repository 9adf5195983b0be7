/** The swarm manager's placement table: a demand queue, best-fit placement over nodes, and backfill with reservations. */
import { ConflictError, InvalidError, NotFoundError } from '../errors/index.js';
import { canEverFit } from './fit.js';
import { gangPlacement, placeGang } from './gang.js';
import type { NodeState } from './node-state.js';
import { NodeTable } from './node-table.js';
import { choosePreemptions, type Preemption, type Victim } from './preempt.js';
import { DemandQueue, type QueueEntry } from './queue.js';
import { Reservations } from './reservations.js';
import type {
  Demand,
  FitVerdict,
  NodeEngine,
  NodeSnapshot,
  NodeSpec,
  Placement,
  QueuedSnapshot,
  RankPlacement,
  Resources,
} from './types.js';
import { labelPairs, normalizeResources, type Req, toReq } from './units.js';

export interface SchedulerOptions {
  /** One priority point is added per `agingMs` waited (default 5 min); `Infinity` turns aging off. */
  agingMs?: number;
  /**
   * A demand that has waited this long (default 30 min) and still does not fit gets a node reserved:
   * nothing ranked below it is placed there until it fits. `Infinity` turns reservations off.
   */
  reserveAfterMs?: number;
  /** At most this many reserved nodes per pool at once (default 1), so backfill keeps most of the pool. */
  maxReservationsPerPool?: number;
}

export interface RestoreResult {
  restored: Placement[];
  /** Placements that no longer fit the declared nodes; the caller decides (e.g. mark the session lost). */
  rejected: Array<{ placement: Placement; reason: string }>;
}

const DEFAULTS: Required<SchedulerOptions> = {
  agingMs: 5 * 60_000,
  reserveAfterMs: 30 * 60_000,
  maxReservationsPerPool: 1,
};

function compile(options: SchedulerOptions): Required<SchedulerOptions> {
  const o = { ...DEFAULTS, ...options } satisfies Required<SchedulerOptions>;
  const bad = (field: string, rule: string) => {
    throw new InvalidError(`scheduler option ${field} ${rule}`, {
      details: { field, value: o[field as keyof typeof o] },
    });
  };
  if (!(o.agingMs > 0)) bad('agingMs', 'must be > 0 (Infinity disables aging)');
  if (!(o.reserveAfterMs >= 0)) bad('reserveAfterMs', 'must be ≥ 0 (Infinity disables reservations)');
  if (!Number.isInteger(o.maxReservationsPerPool) || o.maxReservationsPerPool < 0) {
    bad('maxReservationsPerPool', 'must be an integer ≥ 0');
  }
  return o;
}

/**
 * In-memory, synchronous and I/O-free; time comes in as `now`. Persisting queue and placements and
 * starting executors is the caller's job; `restore` rebuilds the table after a restart.
 */
export class Scheduler {
  readonly #opts: Required<SchedulerOptions>;
  readonly #queue: DemandQueue;
  readonly #nodes = new NodeTable();
  /** sessionId → node it holds resources on. */
  readonly #placed = new Map<string, NodeState>();
  /** A gang's sessionId → every node its ranks hold resources on. */
  readonly #gangs = new Map<string, NodeState[]>();
  readonly #reserved: Reservations;
  #pass = 0;

  constructor(nodes: readonly NodeSpec[] = [], options: SchedulerOptions = {}) {
    this.#opts = compile(options);
    this.#queue = new DemandQueue(this.#opts.agingMs);
    this.#reserved = new Reservations(this.#opts.maxReservationsPerPool);
    for (const n of nodes) this.addNode(n);
  }

  addNode(spec: NodeSpec): void {
    this.#nodes.add(spec);
  }

  /** Forgets a node; returns the sessions that held resources on it (now lost). */
  removeNode(name: string): string[] {
    const node = this.#nodes.get(name);
    if (!node) throw new NotFoundError(`node ${name} is not declared`, { details: { node: name } });
    if (node.reservedFor !== undefined) this.#reserved.drop(node.reservedFor);
    const lost = node.sessions();
    for (const s of lost) {
      this.#placed.delete(s);
      // A gang loses every rank with one: its ranks on other nodes are freed too.
      for (const n of this.#gangs.get(s) ?? []) if (n !== node) n.release(s);
      this.#gangs.delete(s);
    }
    this.#nodes.delete(name);
    return lost;
  }

  /**
   * Makes the nodes of `engine` match `specs` (a swarm's current node list), see `NodeTable.sync`. Returns whether
   * anything changed, so the caller knows to schedule again.
   */
  syncNodes(engine: NodeEngine, specs: readonly NodeSpec[]): boolean {
    return this.#nodes.sync(engine, specs);
  }

  /** Queues a demand. Check `canEverFit` first to reject what could never run. */
  enqueue(demand: Demand): void {
    if (this.#placed.has(demand.sessionId) || this.#gangs.has(demand.sessionId)) {
      throw new ConflictError(`session ${demand.sessionId} is already placed`, {
        details: { sessionId: demand.sessionId },
      });
    }
    this.#queue.add(demand);
  }

  /** Drops a queued demand; false when it was not queued. */
  remove(sessionId: string): boolean {
    this.#reserved.drop(sessionId);
    return this.#queue.delete(sessionId);
  }

  /** Moves a queued demand to another pool and priority (long-run rule, operator action). */
  demote(sessionId: string, pool: string, priority: number): Demand {
    this.#reserved.drop(sessionId);
    return this.#queue.update(sessionId, pool, priority);
  }

  get queueSize(): number {
    return this.#queue.size;
  }

  /**
   * One pass over the queue in order (effective priority, then FIFO, then id). Each demand is placed
   * on the best-fitting node if one has room (a gang: every rank at once, see `placeGang`); otherwise it
   * stays queued, holding nothing, and later demands may still be placed (backfill). Returns the
   * placements made; those demands leave the queue.
   */
  schedule(now: number): Placement[] {
    const pass = ++this.#pass;
    const placements: Placement[] = [];
    // Within one pass free capacity only shrinks, so a shape that found no room for n ranks cannot find room for
    // n or more later (a plain session is n = 1): shape → the fewest ranks it failed with.
    const failed = new Map<string, number>();
    const noWhole = new Map<string, number>();
    const fit = (g: QueueEntry) => this.#bestFit(g, pass);
    // Reservable nodes also only get fewer, unless a reserver is placed and frees its node.
    const unreservable = new Set<string>();
    for (const e of this.#queue.ordered(now)) {
      const id = e.demand.sessionId;
      const placed =
        e.replicas >= (failed.get(e.shape) ?? Infinity) ? undefined : this.#place(e, fit, noWhole);
      if (placed) {
        placements.push(placed);
        this.#queue.delete(id);
        if (this.#reserved.get(id)) {
          this.#reserved.drop(id);
          unreservable.clear();
        }
        continue;
      }
      failed.set(e.shape, Math.min(e.replicas, failed.get(e.shape) ?? Infinity));
      let held = this.#reserved.get(id);
      if (!held && now - e.demand.submittedAt >= this.#opts.reserveAfterMs && !unreservable.has(e.shape)) {
        held = this.#reserved.reserve(e, this.#candidates(e));
        if (!held) unreservable.add(e.shape);
      }
      if (held) held.blockedPass = pass;
    }
    return placements;
  }

  #place(
    e: QueueEntry,
    fit: (e: QueueEntry) => NodeState | undefined,
    noWhole: Map<string, number>,
  ): Placement | undefined {
    const id = e.demand.sessionId;
    if (e.replicas === 1) {
      const node = fit(e);
      if (!node) return undefined;
      this.#placed.set(id, node);
      return node.allocate(id, e.req);
    }
    const nodes = placeGang(e, fit, noWhole);
    if (!nodes) return undefined;
    this.#gangs.set(id, nodes);
    return gangPlacement(id, nodes);
  }

  #candidates(e: QueueEntry): readonly NodeState[] {
    const engine = e.demand.engine ?? 'local';
    return this.#nodes.of(engine, e.demand.pool);
  }

  /**
   * Best fit: among nodes with room, the one left with the least free capacity after placement,
   * compared lexicographically on GPUs (free GPU parts), then memory, then milli-cpus. Scarce GPUs
   * thus stay in large free blocks and cpu-only work lands on GPU-less nodes first. Ties go to
   * the node declared first.
   */
  #bestFit(e: QueueEntry, pass: number): NodeState | undefined {
    const list = this.#candidates(e);
    const { milliCpu: c, mem: m, gpus: g, parts: p } = e.req;
    const need = g * p;
    const labels = e.labels;
    let best: NodeState | undefined;
    let bg = 0;
    let bm = 0;
    let bc = 0;
    for (let i = 0; i < list.length; i++) {
      const n = list[i]!;
      if (n.freeMilliCpu < c || n.freeMem < m || n.freeGpuParts < need || n.blockedPass === pass) continue;
      const rg = n.freeGpuParts - need;
      const rm = n.freeMem - m;
      const rc = n.freeMilliCpu - c;
      if (best !== undefined && (rg > bg || (rg === bg && (rm > bm || (rm === bm && rc >= bc))))) continue;
      if (g > 0 && n.gpuRoom(p) < g) continue;
      if (labels.length > 0 && !n.hasLabels(labels)) continue;
      best = n;
      bg = rg;
      bm = rm;
      bc = rc;
      if (rg === 0 && rm === 0 && rc === 0) break;
    }
    return best;
  }

  /**
   * Which of `victims` (running sessions, gangs too) to stop so that waiting demands of higher effective priority fit,
   * counting what the `pending` ones (already asked to yield) hold as free; see `choosePreemptions`. A what-if:
   * the table is left as it was.
   */
  preemptions(now: number, victims: readonly Victim[], pending: readonly string[] = []): Preemption[] {
    if (victims.length === 0 || this.#queue.size === 0) return [];
    return choosePreemptions({
      waiting: this.#queue.ordered(now),
      candidates: (e) => this.#candidates(e),
      holders: (id) => {
        const node = this.#placed.get(id);
        return node ? [node] : (this.#gangs.get(id) ?? []);
      },
      victims,
      pending,
    });
  }

  /** Frees what a session holds; returns its former placement, or undefined when it held nothing. */
  release(sessionId: string): Placement | undefined {
    const gang = this.#gangs.get(sessionId);
    if (gang) {
      const p = gangPlacement(sessionId, gang);
      for (const n of gang) n.release(sessionId);
      this.#gangs.delete(sessionId);
      return p;
    }
    const node = this.#placed.get(sessionId);
    if (!node) return undefined;
    this.#placed.delete(sessionId);
    return node.release(sessionId);
  }

  /** Re-applies placements known from persistence (manager restart). Each is all-or-nothing. */
  restore(placements: readonly Placement[]): RestoreResult {
    const out: RestoreResult = { restored: [], rejected: [] };
    for (const p of placements) {
      const reason = this.#restoreOne(p);
      if (reason === undefined) out.restored.push(this.allocationOf(p.sessionId)!);
      else out.rejected.push({ placement: p, reason });
    }
    return out;
  }

  #restoreOne(p: Placement): string | undefined {
    if (this.#placed.has(p.sessionId) || this.#gangs.has(p.sessionId))
      return `session ${p.sessionId} is already placed`;
    if (this.#queue.has(p.sessionId)) return `session ${p.sessionId} is queued`;
    const node = this.#nodes.get(p.node);
    if (!node) return `node ${p.node} is not declared`;
    let resources: Required<Resources>;
    try {
      resources = normalizeResources({
        cpus: p.cpus,
        memoryMb: p.memoryMb,
        gpus: p.gpus.length,
        gpuMemoryFraction: p.gpuMemoryFraction,
      });
    } catch (err) {
      return (err as Error).message;
    }
    if (p.ranks) return this.#restoreGang(p.sessionId, p.ranks, toReq(resources));
    const reason = node.restore(p.sessionId, toReq(resources), p.gpus);
    if (reason === undefined) this.#placed.set(p.sessionId, node);
    return reason;
  }

  /** Every rank back where it was, or none of them. */
  #restoreGang(sessionId: string, ranks: readonly RankPlacement[], req: Req): string | undefined {
    const used: NodeState[] = [];
    let reason: string | undefined;
    for (const [rank, r] of ranks.entries()) {
      const node = this.#nodes.get(r.node);
      reason = node
        ? node.restore(sessionId, req, r.gpus, rank)
        : `node ${r.node} (rank ${rank}) is not declared`;
      if (reason !== undefined) break;
      if (!used.includes(node!)) used.push(node!);
    }
    if (reason === undefined) this.#gangs.set(sessionId, used);
    else for (const n of used) n.release(sessionId);
    return reason;
  }

  /**
   * Could `resources` (× `replicas` ranks at once) ever run on declared nodes of `pool` with `labels`, were they
   * empty? Swarm nodes can
   * be relabelled at any time, so for them only capacity is judged: a demand whose pool or labels no swarm
   * node has yet stays queued until one gets them.
   */
  canEverFit(
    resources: Resources,
    pool?: string,
    labels?: Record<string, string>,
    engine: NodeEngine = 'local',
    replicas = 1,
  ): FitVerdict {
    const nodes = this.#nodes.of(engine);
    const req = toReq(normalizeResources(resources));
    if (engine === 'local') return canEverFit(nodes, req, pool, labelPairs(labels), replicas);
    if (nodes.length === 0) return { ok: false, dimension: 'pool', reason: `the ${engine} has no nodes` };
    return canEverFit(nodes, req, undefined, [], replicas);
  }

  /** `canEverFit` that throws `InvalidError` (details: dimension, pool) for submit-time rejection. */
  assertCanEverFit(resources: Resources, pool?: string, labels?: Record<string, string>): void {
    const v = this.canEverFit(resources, pool, labels);
    if (!v.ok)
      throw new InvalidError(v.reason, { details: { field: 'resources', dimension: v.dimension, pool } });
  }

  allocationOf(sessionId: string): Placement | undefined {
    const gang = this.#gangs.get(sessionId);
    if (gang) return gangPlacement(sessionId, gang);
    return this.#placed.get(sessionId)?.placementOf(sessionId);
  }

  /** Every current placement (e.g. to persist or audit). */
  placements(): Placement[] {
    const out = [...this.#placed].map(([id, n]) => n.placementOf(id)!);
    for (const [id, nodes] of this.#gangs) out.push(gangPlacement(id, nodes)!);
    return out;
  }

  nodes(): NodeSnapshot[] {
    return this.#nodes.all().map((n) => n.snapshot());
  }

  /** The queue in scheduling order as of `now`. */
  queued(now: number): QueuedSnapshot[] {
    return this.#queue.ordered(now).map((e, i) => {
      const d = e.demand;
      const s: QueuedSnapshot = {
        sessionId: d.sessionId,
        position: i,
        priority: d.priority,
        effectivePriority: e.effective,
        submittedAt: d.submittedAt,
        resources: { ...d.resources },
      };
      if (d.pool !== undefined) s.pool = d.pool;
      if (e.replicas > 1) s.replicas = e.replicas;
      const r = this.#reserved.get(d.sessionId);
      if (r) s.reservedNode = r.name;
      return s;
    });
  }

  /** Nodes currently kept free for long-waiting demands. */
  reservations(): Array<{ sessionId: string; node: string }> {
    return this.#reserved.list();
  }
}
