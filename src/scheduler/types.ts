/** The scheduler's own data shapes (what a node offers, a waiting demand); the wire shapes live in src/api. */
import type { GpuSpec, NodeEngine, Resources } from '../api/index.js';

export type {
  GpuSnapshot,
  GpuSpec,
  NodeEngine,
  NodeSnapshot,
  Placement,
  QueuedSnapshot,
  RankPlacement,
  Resources,
} from '../api/index.js';

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
  /** A gang of this many ranks, each asking `resources`, placed all at once or not at all (default 1). */
  replicas?: number;
}

/** Answer of `canEverFit`: `reason` names the dimension that no node can ever satisfy. */
export type FitVerdict =
  | { ok: true }
  | {
      ok: false;
      dimension: 'pool' | 'labels' | 'gpus' | 'memoryMb' | 'cpus' | 'combination' | 'replicas';
      reason: string;
    };
