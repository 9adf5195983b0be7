/**
 * Shapes of the API responses the dashboard reads: a client-side mirror of the public API (the app talks HTTP
 * and WS only and bundles none of the server). Events, and the scheduler's node and queue snapshots, are the
 * server's own types (type-only imports: nothing of the server is bundled).
 */
export type { EventType, SessionState, SwarmEvent } from '../../../src/events/types.js';

export type {
  GpuSnapshot,
  NodeSnapshot,
  Placement,
  QueuedSnapshot,
} from '../../../src/scheduler/types.js';

import type { SessionState } from '../../../src/events/types.js';
import type {
  Resources as Demand,
  NodeSnapshot,
  Placement,
  QueuedSnapshot,
} from '../../../src/scheduler/types.js';

/** A session's resources with defaults filled, as the API returns them. */
export type Resources = Required<Demand>;

export interface SessionRecord {
  id: string;
  name: string;
  command: string[];
  shell: boolean;
  cwd: string;
  env: Record<string, string>;
  dataset?: string;
  resources: Resources;
  priority: number;
  pool: string;
  labels: Record<string, string>;
  maxRuntimeMs?: number;
  state: SessionState;
  createdAt: number;
  placedAt?: number;
  startedAt?: number;
  endedAt?: number;
  exitCode: number | null;
  signal: string | null;
  reason?: string;
  placement?: Placement;
  stopRequestedAt?: number;
  demotedAt?: number;
}

export interface SessionPage {
  sessions: SessionRecord[];
  total: number;
  limit: number;
  offset: number;
}

export interface LogLine {
  cursor: number;
  time: number;
  stream: 'stdout' | 'stderr';
  line: string;
}

export interface LogPage {
  lines: LogLine[];
  next: number;
}

export interface Series {
  step: number[];
  time: number[];
  value: number[];
  points: number;
  downsampled: boolean;
}

export interface SeriesResult {
  sessionId: string;
  cursor: number;
  series: Record<string, Series>;
}

export interface NodesResponse {
  nodes: NodeSnapshot[];
  queue: QueuedSnapshot[];
}

export interface ColumnSchema {
  name: string;
  dtype: string;
  shape: number[];
  axis?: 'row' | 'indptr' | 'nnz';
}

export type DatasetKind = 'sparse' | 'dense' | 'image' | 'table';

export interface VersionSummary {
  version: number;
  rows: number;
  bytes: number;
  kind: DatasetKind;
  columns: ColumnSchema[];
  digest: string;
  createdAt: string;
}

export interface DatasetSummary {
  name: string;
  versions: VersionSummary[];
  latest: number;
}

export interface Manifest {
  name: string;
  version: number;
  kind: DatasetKind;
  rows: number;
  columns: ColumnSchema[];
  shards: Array<{ digest: string; rowStart: number; rows: number; bytes: number }>;
  bytes: number;
  digest: string;
  source: { format: string; files: Array<{ name: string; bytes: number; sha256: string }> };
  meta: Record<string, unknown>;
  createdAt: string;
  createdBy: string;
}

export interface RowsPage {
  name: string;
  version: number;
  offset: number;
  total: number;
  rows: Record<string, unknown>[];
}

export type Stage = 'draft' | 'staging' | 'production' | 'archived';

export interface GenerationSummary {
  generation: number;
  stage: Stage;
  format: string;
  size: number;
  metrics: Record<string, number>;
  createdAt: number;
}

export interface ModelSummary {
  name: string;
  type: string;
  latest: number;
  production: number | null;
  staging: number | null;
  generations: GenerationSummary[];
}

export interface ModelTree {
  types: Array<{ type: string; models: ModelSummary[] }>;
}

export interface ModelView {
  name: string;
  type: string;
  createdAt: number;
  updatedAt: number;
  latest: number;
  generations: number[];
  production: number | null;
  staging: number | null;
  generationList: GenerationSummary[];
}

export interface GenerationView {
  model: string;
  type: string;
  generation: number;
  format: string;
  files: Array<{ name: string; size: number; sha256: string }>;
  metrics: Record<string, number>;
  sessionId: string | null;
  dataset: string | null;
  parent: number | null;
  createdAt: number;
  stage: Stage;
}

export interface HistoryEntry {
  cursor: number;
  time: number;
  generation: number;
  from: Stage | null;
  to: Stage;
  reason?: string;
}

export interface HistoryPage {
  model: string;
  entries: HistoryEntry[];
  next: number;
}

export interface TensorDiff {
  name: string;
  status: 'compared' | 'added' | 'removed' | 'shape-mismatch';
  shapeA: number[] | null;
  shapeB: number[] | null;
  size: number;
  normA: number | null;
  normB: number | null;
  relativeChange: number | null;
  cosine: number | null;
  fractionChanged: number | null;
  maxAbsDiff: number | null;
}

export interface GenerationDiff {
  model: string;
  a: { generation: number; format: string };
  b: { generation: number; format: string };
  tolerance: number;
  tensors: TensorDiff[];
  summary: {
    compared: number;
    added: number;
    removed: number;
    shapeMismatch: number;
    parameters: number;
    changedParameters: number;
    fractionChanged: number;
    normDiff: number;
    relativeChange: number | null;
    cosine: number | null;
    largestChange: { name: string; relativeChange: number | null } | null;
  };
}
