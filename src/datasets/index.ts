/** Datasets: immutable versions of content-addressed shards, importers/exporters, and the intake stream's frames. */
export {
  type BatchSource,
  batchFrames,
  checkStreamOptions,
  DEFAULT_WINDOW_BYTES,
  type ShardLoader,
} from './batches.js';
export { toColumn } from './columns.js';
export { EXPORT_FORMATS, type ExportFormat } from './export.js';
export type { Column, DType, ImportFormat, TypedArray } from './formats/index.js';
export {
  controlFrame,
  type DataHeader,
  type ErrorInfo,
  FRAME_PREFIX,
  type FrameColumn,
  type FrameHeader,
  frameLength,
  MAX_FRAME_BYTES,
  type ParsedFrame,
  parseFrame,
} from './frame.js';
export { checkDatasetName, checkVersion, parseDatasetRef } from './names.js';
export { blockOfFrame, type RowBlock } from './rows.js';
export { rankWindows } from './sampler.js';
export {
  DatasetService,
  type DatasetServiceOptions,
  DEFAULT_SHARD_BYTES,
  type PushInput,
  type StoreInfo,
} from './service.js';
export type {
  ColumnAxis,
  ColumnSchema,
  DatasetSummary,
  Manifest,
  PushResult,
  ShardRef,
  SourceFile,
  StreamOptions,
  VersionSummary,
} from './types.js';

export const IMPORT_FORMATS = ['libsvm', 'csv', 'idx', 'npy'] as const;
