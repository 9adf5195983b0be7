/** One node's capacity and who holds what on it, kept in integer units with O(1) fit checks. */
import type {
  GpuSnapshot,
  NodeEngine,
  NodeSnapshot,
  NodeSpec,
  Placement,
  RankPlacement,
  Resources,
} from './types.js';
import { CPU_SCALE, GPU_WHOLE, type Req } from './units.js';

export interface Allocation {
  req: Req;
  /** Positions into the node's GPU list (not device indices), `req.gpus` per rank in the order of `ranks`. */
  slots: number[];
  /** The ranks of a gang held here (any subset of them); absent for a plain session. */
  ranks?: number[];
}

export class NodeState {
  #spec: NodeSpec;
  readonly capMilliCpu: number;
  readonly capMem: number;
  /** Device indices, ascending; slot i is device `gpuIndex[i]`. */
  readonly gpuIndex: number[];
  /** Parts in use per slot. */
  readonly gpuUsed: Int32Array;
  freeMilliCpu: number;
  freeMem: number;
  /** Slots with nothing held on them. */
  freeWholeGpus: number;
  /** Sum over slots of unused parts. */
  freeGpuParts: number;
  /** Scheduling pass during which this node is kept free for a reservation. */
  blockedPass = -1;
  reservedFor: string | undefined;
  readonly #allocs = new Map<string, Allocation>();
  readonly #gpuSpecs: NodeSpec['capacity']['gpus'];

  constructor(spec: NodeSpec) {
    this.#spec = spec;
    this.capMilliCpu = Math.floor(spec.capacity.cpus * CPU_SCALE);
    this.capMem = Math.floor(spec.capacity.memoryMb);
    this.#gpuSpecs = [...spec.capacity.gpus].sort((a, b) => a.index - b.index);
    this.gpuIndex = this.#gpuSpecs.map((g) => g.index);
    this.gpuUsed = new Int32Array(this.gpuIndex.length);
    this.freeMilliCpu = this.capMilliCpu;
    this.freeMem = this.capMem;
    this.freeWholeGpus = this.gpuIndex.length;
    this.freeGpuParts = this.gpuIndex.length * GPU_WHOLE;
  }

  get spec(): NodeSpec {
    return this.#spec;
  }

  get name(): string {
    return this.#spec.name;
  }

  get pool(): string {
    return this.#spec.pool;
  }

  get engine(): NodeEngine {
    return this.#spec.engine ?? 'local';
  }

  /** New pool and labels (a swarm node relabelled); what is held on the node stays. */
  relabel(pool: string, labels: Record<string, string>): void {
    this.#spec = { ...this.#spec, pool, labels };
  }

  get size(): number {
    return this.#allocs.size;
  }

  has(sessionId: string): boolean {
    return this.#allocs.has(sessionId);
  }

  hasLabels(pairs: ReadonlyArray<[string, string]>): boolean {
    const labels = this.#spec.labels;
    for (const [k, v] of pairs) if (labels[k] !== v) return false;
    return true;
  }

  /** How many GPUs could take `parts` more right now. */
  gpuRoom(parts: number): number {
    if (parts === GPU_WHOLE) return this.freeWholeGpus;
    let n = 0;
    for (let i = 0; i < this.gpuUsed.length; i++) if (this.gpuUsed[i]! + parts <= GPU_WHOLE) n++;
    return n;
  }

  fits(req: Req): boolean {
    if (this.freeMilliCpu < req.milliCpu || this.freeMem < req.mem) return false;
    if (req.gpus === 0) return true;
    if (this.freeGpuParts < req.gpus * req.parts) return false;
    return this.gpuRoom(req.parts) >= req.gpus;
  }

  /** Could this node hold `req` if it were empty? */
  couldEverFit(req: Req): boolean {
    return this.capMilliCpu >= req.milliCpu && this.capMem >= req.mem && this.gpuIndex.length >= req.gpus;
  }

  /** How many ranks of `req` this node could hold if it were empty (at most `limit`). */
  maxRanks(req: Req, limit: number): number {
    let n = Math.min(limit, Math.floor(this.capMilliCpu / req.milliCpu));
    if (req.mem > 0) n = Math.min(n, Math.floor(this.capMem / req.mem));
    if (req.gpus > 0) {
      const perGpu = Math.floor(GPU_WHOLE / req.parts);
      n = Math.min(n, Math.floor((this.gpuIndex.length * perGpu) / req.gpus));
    }
    return n;
  }

  /**
   * Slots for a fitting request: whole GPUs take the lowest free devices; fractions go to the fullest
   * GPUs that still have room, so partly used GPUs fill up before fresh ones are broken into.
   */
  #pickSlots(req: Req): number[] {
    const slots: number[] = [];
    if (req.gpus === 0) return slots;
    if (req.parts === GPU_WHOLE) {
      for (let i = 0; i < this.gpuUsed.length && slots.length < req.gpus; i++)
        if (this.gpuUsed[i] === 0) slots.push(i);
      return slots;
    }
    const open: number[] = [];
    for (let i = 0; i < this.gpuUsed.length; i++) if (this.gpuUsed[i]! + req.parts <= GPU_WHOLE) open.push(i);
    open.sort((a, b) => this.gpuUsed[b]! - this.gpuUsed[a]! || a - b);
    return open.slice(0, req.gpus);
  }

  /** Takes resources for a session; the caller has checked `fits`. */
  allocate(sessionId: string, req: Req): Placement {
    const slots = this.#pickSlots(req);
    this.#take(sessionId, req, slots);
    return this.#placement(sessionId, req, slots);
  }

  /** Takes resources for one rank of a gang (the gang's placement is assembled once, from `fillRanks`). */
  allocateRank(sessionId: string, req: Req, rank: number): void {
    this.#take(sessionId, req, this.#pickSlots(req), rank);
  }

  /** Re-applies a known placement (one rank of a gang); returns why not when it would over-allocate. */
  restore(sessionId: string, req: Req, devices: number[], rank?: number): string | undefined {
    const held = this.#allocs.get(sessionId);
    if (held && (rank === undefined || held.ranks?.includes(rank)))
      return `session ${sessionId} already holds resources on node ${this.name}`;
    if (devices.length !== req.gpus) return `lists ${devices.length} GPUs but asks for ${req.gpus}`;
    if (this.freeMilliCpu < req.milliCpu)
      return `node ${this.name} has ${this.freeMilliCpu / CPU_SCALE} cpus free`;
    if (this.freeMem < req.mem) return `node ${this.name} has ${this.freeMem} MB memory free`;
    const slots: number[] = [];
    for (const d of devices) {
      const slot = this.gpuIndex.indexOf(d);
      if (slot < 0) return `node ${this.name} has no GPU ${d}`;
      if (slots.includes(slot)) return `GPU ${d} listed twice`;
      if (this.gpuUsed[slot]! + req.parts > GPU_WHOLE)
        return `GPU ${d} on node ${this.name} is already taken`;
      slots.push(slot);
    }
    this.#take(sessionId, req, slots, rank);
    return undefined;
  }

  /** Counts `n` ranks of `req` on `slots` as held. */
  #charge(req: Req, slots: number[], n: number): void {
    this.freeMilliCpu -= req.milliCpu * n;
    this.freeMem -= req.mem * n;
    for (const s of slots) {
      if (this.gpuUsed[s] === 0) this.freeWholeGpus--;
      this.gpuUsed[s]! += req.parts;
    }
    this.freeGpuParts -= slots.length * req.parts;
  }

  /** `rank`: one rank of a gang (several may share the node); absent for a plain session. */
  #take(sessionId: string, req: Req, slots: number[], rank?: number): void {
    this.#charge(req, slots, 1);
    if (rank === undefined) {
      this.#allocs.set(sessionId, { req, slots });
      return;
    }
    const held = this.#allocs.get(sessionId);
    if (!held) this.#allocs.set(sessionId, { req, slots, ranks: [rank] });
    else {
      held.ranks!.push(rank);
      for (const s of slots) held.slots.push(s);
    }
  }

  #placement(sessionId: string, req: Req, slots: number[]): Placement {
    const r = req.resources;
    return {
      sessionId,
      node: this.name,
      gpus: slots.map((s) => this.gpuIndex[s]!),
      cpus: r.cpus,
      memoryMb: r.memoryMb,
      gpuMemoryFraction: r.gpuMemoryFraction,
    };
  }

  placementOf(sessionId: string): Placement | undefined {
    const a = this.#allocs.get(sessionId);
    return a && this.#placement(sessionId, a.req, a.slots);
  }

  /**
   * Writes the ranks of a gang held here into `ranks` (by rank: this node and the rank's GPU device indices);
   * returns the per-rank request, or undefined when the session holds nothing here.
   */
  fillRanks(sessionId: string, ranks: RankPlacement[]): Required<Resources> | undefined {
    const a = this.#allocs.get(sessionId);
    if (!a) return undefined;
    const g = a.req.gpus;
    const held = a.ranks ?? [0];
    for (let i = 0; i < held.length; i++) {
      const gpus: number[] = [];
      for (let j = i * g; j < (i + 1) * g; j++) gpus.push(this.gpuIndex[a.slots[j]!]!);
      ranks[held[i]!] = { node: this.name, gpus };
    }
    return a.req.resources;
  }

  release(sessionId: string): Placement | undefined {
    const a = this.#allocs.get(sessionId);
    if (!a) return undefined;
    this.#allocs.delete(sessionId);
    const n = a.ranks?.length ?? 1;
    this.freeMilliCpu += a.req.milliCpu * n;
    this.freeMem += a.req.mem * n;
    for (const s of a.slots) {
      this.gpuUsed[s]! -= a.req.parts;
      if (this.gpuUsed[s] === 0) this.freeWholeGpus++;
    }
    this.freeGpuParts += a.slots.length * a.req.parts;
    return this.#placement(sessionId, a.req, a.slots);
  }

  /** Takes what a session holds off the node, for a what-if; `reattach` puts exactly that back. */
  detach(sessionId: string): Allocation | undefined {
    const a = this.#allocs.get(sessionId);
    if (a) this.release(sessionId);
    return a;
  }

  reattach(sessionId: string, a: Allocation): void {
    this.#charge(a.req, a.slots, a.ranks?.length ?? 1);
    this.#allocs.set(sessionId, a);
  }

  sessions(): string[] {
    return [...this.#allocs.keys()];
  }

  snapshot(): NodeSnapshot {
    const gpus: GpuSnapshot[] = this.#gpuSpecs.map((g, i) => ({
      ...g,
      usedFraction: this.gpuUsed[i]! / GPU_WHOLE,
      holders: [],
    }));
    for (const [sessionId, a] of this.#allocs) {
      for (const s of a.slots) gpus[s]!.holders.push({ sessionId, fraction: a.req.parts / GPU_WHOLE });
    }
    const n = this.gpuIndex.length;
    const snap: NodeSnapshot = {
      name: this.name,
      pool: this.pool,
      engine: this.engine,
      labels: { ...this.#spec.labels },
      capacity: { cpus: this.capMilliCpu / CPU_SCALE, memoryMb: this.capMem, gpus: n },
      allocated: {
        cpus: (this.capMilliCpu - this.freeMilliCpu) / CPU_SCALE,
        memoryMb: this.capMem - this.freeMem,
        gpus: (n * GPU_WHOLE - this.freeGpuParts) / GPU_WHOLE,
      },
      free: { cpus: this.freeMilliCpu / CPU_SCALE, memoryMb: this.freeMem, gpus: this.freeWholeGpus },
      gpus,
      sessions: this.sessions(),
    };
    if (this.reservedFor !== undefined) snap.reservedFor = this.reservedFor;
    return snap;
  }
}
