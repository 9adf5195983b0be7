/** Public data shapes of the scheduler: what a session asks for, what a node offers, where a session landed. */

/** What one session asks for. */
export interface Resources {
  /** CPU cores; may be fractional, must be > 0. */
  cpus: number;
  memoryMb: number;
  /** Whole number of GPU devices, ≥ 0. */
  gpus: number;
  /**
   * Share of each granted GPU's memory, 0 < f ≤ 1 (default 1). Below 1 the GPU may be shared with other
   * fractional sessions as long as the fractions on it sum to ≤ 1; at 1 the GPU is held exclusively.
   */
  gpuMemoryFraction?: number;
}

export interface GpuSpec {
  /** Device index as the driver numbers it (what goes into CUDA_VISIBLE_DEVICES). */
  index: number;
  name: string;
  memoryMb: number;
}

/**
 * Who runs what is placed on a node: `local` = this manager's own executors (processes, or containers on its
 * Docker engine); `swarm` = a Docker Swarm node, where sessions become services pinned to it.
 */
export type NodeEngine = 'local' | 'swarm';

export interface NodeSpec {
  name: string;
  /** Default `local`. */
  engine?: NodeEngine;
  /** e.g. `training`, `production`, `low-priority`. */
  pool: string;
  labels: Record<string, string>;
  capacity: { cpus: number; memoryMb: number; gpus: GpuSpec[] };
}

/** A session waiting for room. */
export interface Demand {
  sessionId: string;
  resources: Resources;
  /** Higher runs first. */
  priority: number;
  /** When given, only nodes of exactly this pool qualify. */
  pool?: string;
  /** The node must carry every one of these label values. */
  labels?: Record<string, string>;
  /** Only nodes of this engine qualify (default `local`). */
  engine?: NodeEngine;
  /** Epoch ms; FIFO order within a priority and the base for aging. */
  submittedAt: number;
}

/** Where a session runs and what it holds there. */
export interface Placement {
  sessionId: string;
  node: string;
  /** GPU device indices on that node. */
  gpus: number[];
  cpus: number;
  memoryMb: number;
  gpuMemoryFraction: number;
}

export interface GpuSnapshot extends GpuSpec {
  /** Sum of the fractions held on this GPU, 0..1. */
  usedFraction: number;
  holders: Array<{ sessionId: string; fraction: number }>;
}

/** A node as the API and dashboard see it. */
export interface NodeSnapshot {
  name: string;
  pool: string;
  engine: NodeEngine;
  labels: Record<string, string>;
  capacity: { cpus: number; memoryMb: number; gpus: number };
  /** `gpus` here counts GPU-equivalents (sum of held fractions). */
  allocated: { cpus: number; memoryMb: number; gpus: number };
  /** `gpus` counts GPUs nobody holds any part of. */
  free: { cpus: number; memoryMb: number; gpus: number };
  gpus: GpuSnapshot[];
  sessions: string[];
  /** Queued session this node is being drained for (see `SchedulerOptions.reserveAfterMs`). */
  reservedFor?: string;
}

/** A queued demand as the API and dashboard see it, in scheduling order. */
export interface QueuedSnapshot {
  sessionId: string;
  position: number;
  priority: number;
  effectivePriority: number;
  submittedAt: number;
  pool?: string;
  resources: Required<Resources>;
  reservedNode?: string;
}

/** Answer of `canEverFit`: `reason` names the dimension that no node can ever satisfy. */
export type FitVerdict =
  | { ok: true }
  | {
      ok: false;
      dimension: 'pool' | 'labels' | 'gpus' | 'memoryMb' | 'cpus' | 'combination';
      reason: string;
    };
