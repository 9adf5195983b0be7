/**
 * Shapes of the API responses the dashboard reads: the server's own wire types from src/api (type-only
 * imports: nothing of the server is bundled, and a field the server adds is a field the dashboard sees).
 */
export type {
  Artifact,
  ArtifactList,
  ComparedSession,
  Comparison,
  DatasetSummary,
  GenerationDiff,
  GenerationSummary,
  HistoryPage,
  LogLine,
  LogPage,
  Manifest,
  ModelTree,
  ModelView,
  NodeSnapshot,
  NodesResponse,
  ParamValue,
  Placement,
  RowsPage,
  SessionPage,
  SessionRecord,
  SessionState,
  Stage,
  SwarmEvent,
  SweepList,
  SweepView,
  TrialView,
  WhoAmI,
} from '../../../src/api/index.js';

// Metric series are still defined by src/telemetry (being changed on main); they move to src/api after that
// merge. Until then these mirror them.
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
