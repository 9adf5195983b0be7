/**
 * The API layer: what the manager and every client (SDK, CLI, dashboard, the Python client's protocol) agree
 * on — wire types, paths, format lists, channel messages. Imports nothing of ours but src/errors. The rules
 * validator (zod) is in ./rules.ts and only its types are re-exported here, so loading this never loads zod.
 */
export {
  type Artifact,
  type ArtifactList,
  checkArtifactPath,
  type ResumeInfo,
  type SessionDeleted,
} from './artifacts.js';
export {
  CHANNEL_VERSION,
  type ChannelBatch,
  type ChannelDown,
  type ChannelHello,
  type ChannelItem,
  type ChannelUp,
  CloseCode,
  type CloseCodeName,
  type GpuReport,
  type HardwareReport,
  type PackedPoints,
} from './channel.js';
export { checkDatasetName, checkVersion, parseDatasetRef } from './dataset-ref.js';
export {
  type ColumnAxis,
  type ColumnSchema,
  type DatasetKind,
  type DatasetList,
  type DatasetSummary,
  type DType,
  EXPORT_FORMATS,
  type ExportFormat,
  guessFormat,
  IMPORT_FORMATS,
  type ImportFormat,
  type Manifest,
  type NumericDType,
  type PushResult,
  type RowsPage,
  type ShardRef,
  type SourceFile,
  type StoreInfo,
  type StreamOptions,
  type VersionSummary,
} from './datasets.js';
export {
  ACTIVE_STATES,
  type EventFilter,
  type EventPage,
  type EventPayloads,
  type EventType,
  isTerminal,
  type MetricPoint,
  type NewEvent,
  SESSION_STATES,
  type SessionState,
  type SwarmEvent,
  TERMINAL_STATES,
} from './events.js';
export type { ComparedSession, CompareOptions, Comparison } from './experiments.js';
export type {
  DiffSummary,
  GenerationDiff,
  TensorDiff,
  TensorDiffStatus,
  WeightsDiff,
} from './model-diff.js';
export {
  type Generation,
  type GenerationFile,
  type GenerationMeta,
  type GenerationSummary,
  type GenerationView,
  type HistoryEntry,
  type HistoryPage,
  type ModelRecord,
  type ModelSummary,
  type ModelTree,
  type ModelView,
  type PruneResult,
  STAGES,
  type Stage,
  type StageChange,
  type StageResult,
  type StagesAt,
  type TargetStage,
  WEIGHT_FORMATS,
  type WeightFormat,
} from './models.js';
export type {
  GpuSnapshot,
  GpuSpec,
  NodeEngine,
  NodeSnapshot,
  NodesResponse,
  Placement,
  QueuedSnapshot,
  RankPlacement,
  Resources,
} from './nodes.js';
export { paths } from './paths.js';
export type {
  LogBounds,
  RetentionCounts,
  RetentionPolicy,
  RetentionRun,
  RetentionStatus,
} from './retention.js';
export type { AcceptRule, OnExitRule, RulesDoc, StopAction, StopRule } from './rules.js';
export { type MetricField, type Order, parseOrder } from './session-order.js';
export type {
  ExecHandle,
  Isolation,
  ListOptions,
  LogLine,
  LogPage,
  LogQuery,
  MetricSummary,
  ParamValue,
  RankProcess,
  Rendezvous,
  SessionFlag,
  SessionListItem,
  SessionOrder,
  SessionPage,
  SessionRecord,
  SessionSpec,
  SessionUsage,
} from './sessions.js';
export { PREEMPTED } from './sessions.js';
export type {
  AshaOptions,
  Dimension,
  SearchSpace,
  SweepAlgorithm,
  SweepBest,
  SweepList,
  SweepMode,
  SweepPromotion,
  SweepSpec,
  SweepState,
  SweepSummary,
  SweepView,
  TrialTemplate,
  TrialView,
} from './sweeps.js';
export {
  type CreatedToken,
  ROLES,
  type Role,
  type TokenList,
  type TokenView,
  type WhoAmI,
} from './tokens.js';
export {
  type NodeUse,
  USAGE_METRICS,
  USAGE_PREFIX,
  type UsageMetric,
  usageSeries,
} from './usage.js';
