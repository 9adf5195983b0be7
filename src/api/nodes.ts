/** Nodes and resources on the wire: what a session asks for, where it landed, node and queue snapshots. */
import type { NodeUse } from './usage.js';

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
  /** What its running sessions use, sampled by the manager (`GET /api/v1/nodes`; absent when sampling is off). */
  used?: NodeUse;
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

/** `GET /api/v1/nodes`: every node, plus the queue in scheduling order. */
export interface NodesResponse {
  nodes: NodeSnapshot[];
  queue: QueuedSnapshot[];
}
