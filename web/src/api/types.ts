/**
 * Shapes of the API responses the dashboard reads: the server's own wire types from src/api (type-only
 * imports: nothing of the server is bundled, and a field the server adds is a field the dashboard sees).
 */
export type {
  ColumnSchema,
  DatasetKind,
  DatasetSummary,
  EventType,
  GenerationSummary,
  GenerationView,
  GpuSnapshot,
  HistoryEntry,
  HistoryPage,
  LogLine,
  LogPage,
  Manifest,
  ModelSummary,
  ModelTree,
  ModelView,
  NodeSnapshot,
  NodesResponse,
  Placement,
  QueuedSnapshot,
  RowsPage,
  SessionPage,
  SessionRecord,
  SessionState,
  Stage,
  SwarmEvent,
  VersionSummary,
} from '../../../src/api/index.js';

import type { Resources as Demand } from '../../../src/api/index.js';

/** A session's resources with defaults filled, as the API returns them. */
export type Resources = Required<Demand>;

// Metric series and weight diffs are still defined by src/telemetry and src/models/tensors (being changed on
// main); they move to src/api after that merge. Until then these mirror them.
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
