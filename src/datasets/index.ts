/** Datasets: immutable versions of content-addressed shards, importers/exporters, and the intake stream's frames. */
export {
  type ColumnAxis,
  type ColumnSchema,
  checkDatasetName,
  checkVersion,
  type DatasetSummary,
  type DType,
  EXPORT_FORMATS,
  type ExportFormat,
  IMPORT_FORMATS,
  type ImportFormat,
  type Manifest,
  type PushResult,
  parseDatasetRef,
  type ShardRef,
  type SourceFile,
  type StoreInfo,
  type StreamOptions,
  type VersionSummary,
} from '../api/index.js';
// The wire codec, re-exported for the manager's own callers; clients import it from src/codec.
export {
  type BatchSource,
  batchFrames,
  blockOfFrame,
  checkStreamOptions,
  controlFrame,
  type DataHeader,
  DEFAULT_WINDOW_BYTES,
  type ErrorInfo,
  FRAME_PREFIX,
  type FrameColumn,
  type FrameHeader,
  frameLength,
  MAX_FRAME_BYTES,
  type ParsedFrame,
  parseFrame,
  type RowBlock,
  rankWindows,
  type ShardLoader,
  type TypedArray,
} from '../codec/index.js';
export { toColumn } from './columns.js';
export type { Column } from './formats/index.js';
export { migrateDatasetRefs } from './migrate.js';
export {
  DatasetService,
  type DatasetServiceOptions,
  DEFAULT_SHARD_BYTES,
  type PushInput,
} from './service.js';
