/** Dataset records: the manifest of a version, its column schema and shard list, and the summaries the API returns. */
import type { DatasetKind, DType, ImportFormat } from './formats/index.js';

/**
 * How a column's first axis relates to rows: `row` — one entry per row (dense or utf8);
 * `indptr` — CSR row pointers (rows + 1 entries); `nnz` — one entry per stored sparse value.
 */
export type ColumnAxis = 'row' | 'indptr' | 'nnz';

export interface ColumnSchema {
  name: string;
  dtype: DType;
  /** Full shape over the whole version, C order. */
  shape: number[];
  axis: ColumnAxis;
}

export interface ShardRef {
  /** sha256 of the shard blob: the store's content address. */
  digest: string;
  /** First row of this shard in the version. */
  rowStart: number;
  rows: number;
  bytes: number;
}

export interface SourceFile {
  name: string;
  bytes: number;
  sha256: string;
}

export interface Manifest {
  name: string;
  version: number;
  kind: DatasetKind;
  rows: number;
  columns: ColumnSchema[];
  shards: ShardRef[];
  /** Sum of shard sizes. */
  bytes: number;
  /** sha256 over the schema and the shard digests: equal digests mean equal content. */
  digest: string;
  source: { format: ImportFormat; files: SourceFile[]; options: Record<string, unknown> };
  /** Format metadata from the importer (libsvm `zeroBased`, CSV `labelNames`, image size, …). */
  meta: Record<string, unknown>;
  createdAt: string;
  createdBy: string;
}

/** What a push returns (the API's 201 body). */
export interface PushResult {
  name: string;
  version: number;
  rows: number;
  columns: Array<Pick<ColumnSchema, 'name' | 'dtype' | 'shape'>>;
  bytes: number;
  digest: string;
}

export interface VersionSummary {
  version: number;
  rows: number;
  bytes: number;
  kind: DatasetKind;
  columns: Array<Pick<ColumnSchema, 'name' | 'dtype' | 'shape'>>;
  digest: string;
  createdAt: string;
}

export interface DatasetSummary {
  name: string;
  versions: VersionSummary[];
  latest: number;
}

/** Stream parameters, as the intake endpoint and the SDK take them. */
export interface StreamOptions {
  batchSize: number;
  rank: number;
  worldSize: number;
  /** Unsigned 32-bit seed; absent means the stored order. */
  shuffleSeed?: number;
  epoch: number;
}
