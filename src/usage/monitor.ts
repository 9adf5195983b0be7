/**
 * The manager's usage sampler: one timer reads what every running session uses from its executor (and the node's
 * GPUs from `nvidia-smi` where a local node has some), stores the points of all of them in one store transaction,
 * and keeps each node's use beside its allocation.
 */
import type { Logger } from 'pino';
import type { GpuReport, NodeSnapshot, NodeUse } from '../api/index.js';
import type { Executor, RankUsage } from '../executors/index.js';
import { rankKey } from '../sessions/index.js';
import type { Store, TxOp } from '../store/index.js';
import { type MetricSeries, packPoints } from '../telemetry/index.js';
import { queryGpus } from '../util/nvidia-smi.js';
import { nodeUse } from './nodes.js';
import { type Running, type SessionUse, UsageReadings } from './readings.js';

export interface UsageDeps {
  store: Store;
  series: MetricSeries;
  executor: Pick<Executor, 'usage'>;
  sessions: { running(): Running[] };
  /** The scheduler's nodes, with what is allocated on each. */
  nodes(): NodeSnapshot[];
  logger: Pick<Logger, 'warn'>;
  /** This host's GPUs (default: `nvidia-smi`); asked only when a local node has GPUs. */
  gpus?: () => Promise<GpuReport[]>;
}

export interface UsageOptions {
  /** Time between samples; 0 turns sampling off (default 5 s). */
  intervalMs?: number;
}

/** What sampling has cost so far: the sampler's own CPU time, measured around each tick. */
export interface SamplerStats {
  ticks: number;
  /** Sessions in the last tick. */
  sessions: number;
  cpuSeconds: number;
}

export class UsageMonitor {
  readonly #deps: UsageDeps;
  readonly #intervalMs: number;
  readonly #readings = new UsageReadings();
  #use = new Map<string, NodeUse>();
  #stats: SamplerStats = { ticks: 0, sessions: 0, cpuSeconds: 0 };
  #timer: NodeJS.Timeout | undefined;
  #tick: Promise<void> | undefined;
  #running = false;

  constructor(deps: UsageDeps, options: UsageOptions = {}) {
    this.#deps = deps;
    this.#intervalMs = options.intervalMs ?? 5000;
  }

  get intervalMs(): number {
    return this.#intervalMs;
  }

  get stats(): SamplerStats {
    return { ...this.#stats };
  }

  /** Samples every `intervalMs` from now on (nothing when it is 0). */
  start(): void {
    if (this.#running || this.#intervalMs <= 0) return;
    this.#running = true;
    this.#schedule();
  }

  /** Stops sampling; resolves once a tick under way has been stored. Idempotent, and `start` may follow. */
  async stop(): Promise<void> {
    this.#running = false;
    clearTimeout(this.#timer);
    await this.#tick;
  }

  /** The scheduler's nodes, each with what its sessions use (absent while sampling is off). */
  nodes(): NodeSnapshot[] {
    const nodes = this.#deps.nodes();
    if (this.#intervalMs <= 0) return nodes;
    return nodes.map((n) => ({ ...n, used: this.#use.get(n.name) ?? nodeUse([], undefined, 0) }));
  }

  /** One sample of every running session, stored in one transaction; what a timer tick does. */
  tick(): Promise<void> {
    this.#tick ??= this.#measured().finally(() => {
      this.#tick = undefined;
    });
    return this.#tick;
  }

  #schedule(): void {
    this.#timer = setTimeout(() => {
      void this.tick().finally(() => {
        if (this.#running) this.#schedule();
      });
    }, this.#intervalMs);
    this.#timer.unref();
  }

  async #measured(): Promise<void> {
    const before = process.cpuUsage();
    try {
      await this.#sample();
    } catch (err) {
      this.#deps.logger.warn({ err }, 'usage sampling failed');
    } finally {
      const cpu = process.cpuUsage(before);
      this.#stats.ticks++;
      this.#stats.cpuSeconds += (cpu.user + cpu.system) / 1e6;
    }
  }

  async #sample(): Promise<void> {
    const deps = this.#deps;
    const running = deps.sessions.running();
    const nodes = deps.nodes();
    const samples = running.length > 0 ? ((await deps.executor.usage?.()) ?? new Map()) : new Map();
    // When the counters were read: rates are CPU time over this, so it is taken before nvidia-smi's slow answer.
    const time = Date.now();
    const gpuNodes = new Set(
      nodes.filter((n) => n.engine === 'local' && n.capacity.gpus > 0).map((n) => n.name),
    );
    // No answer (no nvidia-smi, a driver error) is no reading, not idle GPUs.
    const reports = gpuNodes.size > 0 ? await (deps.gpus ?? queryGpus)() : [];
    const gpus = reports.length > 0 ? reports : undefined;
    const ops: TxOp[] = [];
    const byNode = new Map<string, SessionUse[]>();
    for (const s of running) {
      const ranks = sessionSamples(samples, s);
      if (!ranks || ranks.length === 0) continue;
      const node = s.placement?.node;
      const { points, use } = this.#readings.points(
        s,
        ranks,
        node && gpuNodes.has(node) ? gpus : undefined,
        time,
      );
      if (points.length > 0) ops.push(deps.series.op(s.id, packPoints(points)));
      if (!node) continue;
      const on = byNode.get(node) ?? [];
      on.push(use);
      byNode.set(node, on);
    }
    this.#readings.retain(new Set(running.map((s) => s.id)));
    if (ops.length > 0) await deps.store.commit(ops);
    this.#use = new Map(
      nodes.map((n) => [
        n.name,
        nodeUse(byNode.get(n.name) ?? [], gpuNodes.has(n.name) ? gpus : undefined, time),
      ]),
    );
    this.#stats.sessions = ops.length;
  }
}

/** A session's samples: its one job's, or one per rank of a gang, whose ranks run as the executor's jobs `ID.RANK`. */
function sessionSamples(samples: Map<string, RankUsage[]>, s: Running): RankUsage[] {
  if (s.replicas === undefined) return samples.get(s.id) ?? [];
  return Array.from({ length: s.replicas }, (_, rank) =>
    (samples.get(rankKey(s.id, rank)) ?? []).map((u) => ({ ...u, rank })),
  ).flat();
}
